namespace Molecule.Core.Auth;

/// <summary>Credentials settings (contract §0.9, §1), section "Molecule".</summary>
public sealed class AuthOptions
{
    /// <summary>The admin bearer. Unset → admin-only routes answer 503; never fail-open.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Max staleness of the validated-token cache: the revocation bound.</summary>
    public int TokenCacheSeconds { get; set; } = 10;

    public int ClaimWindowHours { get; set; } = 24;

    public string? Validate() =>
        TokenCacheSeconds < 0 ? "Molecule:TokenCacheSeconds must be ≥ 0"
        : ClaimWindowHours < 1 ? "Molecule:ClaimWindowHours must be ≥ 1"
        : null;
}
