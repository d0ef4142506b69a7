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
    /// w-&lt;workspace id hex&gt;-&lt;40 hex of SHA-256(key)&gt; or g-&lt;40 hex&gt;: legal Key Vault names
    /// (case-insensitive there, so the case-sensitive key is hashed), at most 75 characters.
    /// </summary>
    public static string VaultName(string? workspaceId, string key)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
        return workspaceId is null ? $"g-{digest}" : $"w-{workspaceId.Replace("-", "", StringComparison.Ordinal)}-{digest}";
    }
}
