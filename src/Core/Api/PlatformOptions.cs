namespace Molecule.Core.Api;

/// <summary>Cross-cutting HTTP settings (contract §0.9), section "Molecule".</summary>
public sealed class PlatformOptions
{
    public const string Section = "Molecule";

    /// <summary>Origin for every absolute URL we return; request scheme + Host when unset.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Org pinning (§0.7): when set, requests must carry X-Molecule-Org-Id equal to it.</summary>
    public string? OrgId { get; set; }

    /// <summary>Exact origins that receive CORS headers, comma- or space-separated.</summary>
    public string? CorsAllowedOrigins { get; set; }

    public int RateLimitPerMinute { get; set; } = 600;

    public bool AllowPrivateAgentUrls { get; set; }

    public IReadOnlyList<string> CorsOrigins() =>
        (CorsAllowedOrigins ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string? Validate()
    {
        if (RateLimitPerMinute < 1) return "Molecule:RateLimitPerMinute must be at least 1";
        if (PublicBaseUrl is { Length: > 0 } url &&
            (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || url.EndsWith('/')))
            return "Molecule:PublicBaseUrl must be an absolute http(s) origin without a trailing slash";
        return null;
    }
}
