namespace Molecule.Core.Secrets;

/// <summary>
/// Where secret values live (Key Vault in Azure, an encrypted local store on LocalHost). It knows vault
/// names only; which keys exist per workspace is kept in the secrets index table, so listing and pulling
/// never enumerate the vault. Implementations throw <see cref="SecretVaultException"/> for any failure
/// the caller should report (the API answers 502 and never shows the cause).
/// </summary>
public interface ISecretVault
{
    /// <summary>The value, or null when no such secret exists.</summary>
    Task<string?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the value. Tags are informational (workspace and key).</summary>
    Task SetAsync(string name, string value, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>Deletes the secret; deleting one that does not exist is not an error.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A vault operation failed (unreachable, throttled past the retry budget, refused). Never carries a value.</summary>
public sealed class SecretVaultException(string message, Exception? inner = null) : Exception(message, inner);
