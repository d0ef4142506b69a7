using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Molecule.Core.Auth;

/// <summary>Workspace token format (§1.2): mws_ + unpadded base64url of 32 CSPRNG bytes.</summary>
public static partial class TokenFormat
{
    public const string Scheme = "mws_";
    public const int Length = 47;
    public const int PrefixLength = 12;

    [GeneratedRegex(@"^mws_[A-Za-z0-9_-]{43}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static string NewToken() => Scheme + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string? token) => token is { Length: Length } && Pattern().IsMatch(token);

    /// <summary>Lowercase hex SHA-256 of the full token string: the only form stored.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string DisplayPrefix(string token) => token[..PrefixLength];
}
