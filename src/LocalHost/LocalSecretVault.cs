using Microsoft.AspNetCore.DataProtection;
using Molecule.Core.Secrets;

namespace Molecule.LocalHost;

/// <summary>
/// LocalHost's stand-in for Key Vault (none can be emulated here): one file per secret under
/// .localhost/secrets, each value encrypted with ASP.NET Core Data Protection whose key ring is kept in
/// .localhost/keys, so values survive a restart and are never on disk in clear. For development only.
/// </summary>
public sealed class LocalSecretVault : ISecretVault
{
    private readonly string directory;
    private readonly IDataProtector protector;

    public LocalSecretVault(string dataDirectory)
    {
        directory = Path.Combine(dataDirectory, "secrets");
        Directory.CreateDirectory(directory);
        protector = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dataDirectory, "keys")))
            .CreateProtector("Molecule.LocalHost.Secrets");
    }

    public async Task<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (!File.Exists(path)) return null;
        try
        {
            return protector.Unprotect(await File.ReadAllTextAsync(path, cancellationToken));
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
        {
            throw new SecretVaultException("secret read failed", e);
        }
    }

    public async Task SetAsync(string name, string value, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, protector.Protect(value), cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new SecretVaultException("secret write failed", e);
        }
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(PathOf(name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SecretVaultException("secret delete failed", e);
        }
        return Task.CompletedTask;
    }

    private string PathOf(string name)
    {
        if (name.Length is 0 or > 127 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new ArgumentException("not a vault secret name", nameof(name));
        return Path.Combine(directory, name);
    }
}
