using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Molecule.Core.Auth;

public enum CredentialKind { None, Admin, WorkspaceToken, Unknown }

/// <summary>
/// What the Authorization header carries (§1.3). A workspace-token-shaped value is only
/// <see cref="CredentialKind.WorkspaceToken"/> in form; whether it is stored and live is decided
/// against the workspace it is used for.
/// </summary>
public sealed record Bearer(CredentialKind Kind, string? TokenHash)
{
    public static readonly Bearer None = new(CredentialKind.None, null);

    public bool IsAdmin => Kind == CredentialKind.Admin;
    public bool IsPresent => Kind != CredentialKind.None;

    /// <summary>"Bearer &lt;credential&gt;", scheme case-insensitive, credential trimmed; anything else is no credential.</summary>
    public static string? Credential(string? header)
    {
        if (header is null || header.Length < 7 || !header.AsSpan(0, 7).Equals("Bearer ", StringComparison.OrdinalIgnoreCase))
            return null;
        var credential = header[7..].Trim();
        return credential.Length == 0 ? null : credential;
    }
}

/// <summary>Classifies presented credentials; the admin token is compared as SHA-256 digests in constant time.</summary>
public sealed class BearerClassifier(IOptions<AuthOptions> options)
{
    private readonly byte[]? adminDigest = options.Value.AdminToken is { Length: > 0 } admin ? Digest(admin) : null;

    public bool AdminConfigured => adminDigest is not null;

    public Bearer Classify(string? authorizationHeader)
    {
        var credential = Bearer.Credential(authorizationHeader);
        if (credential is null) return Bearer.None;
        if (IsAdmin(credential)) return new Bearer(CredentialKind.Admin, null);
        return TokenFormat.IsWellFormed(credential)
            ? new Bearer(CredentialKind.WorkspaceToken, TokenFormat.Hash(credential))
            : new Bearer(CredentialKind.Unknown, null);
    }

    private bool IsAdmin(string credential) =>
        adminDigest is not null && CryptographicOperations.FixedTimeEquals(Digest(credential), adminDigest);

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
