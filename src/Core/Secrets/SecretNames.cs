using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Molecule.Core.Secrets;

/// <summary>Secret key rules (§3.7) and the injective key → vault name mapping.</summary>
public static partial class SecretNames
{
    public const int MaxValueBytes = 24 * 1024;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    public static bool IsValidKey(string? key) => key is not null && KeyPattern().IsMatch(key);

    /// <summary>
    /// The Key Vault name for a secret key (§3.7). Key Vault names are case-insensitive and keys are
    /// case-sensitive, so the key is hashed rather than embedded: OPENAI_KEY and openai_key get different names.
    /// A workspace name is 75 characters, a global one 42 (the limit is 127).
    /// </summary>
    public static string VaultName(string? workspaceId, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
        if (workspaceId is null) return $"g-{keyHash}";
        if (!Api.Ids.IsWorkspaceId(workspaceId))
            throw new ArgumentException("A workspace id is a lowercase UUID.", nameof(workspaceId));
        return $"w-{workspaceId.Replace("-", "", StringComparison.Ordinal)}-{keyHash}";
    }
}
