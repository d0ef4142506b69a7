namespace Molecule.Core.Messaging;

/// <summary>Messaging settings (§0.9), section "Molecule".</summary>
public sealed class MessagingOptions
{
    public int ActivityRetentionDays { get; set; } = 7;
    public int A2ADefaultTimeoutSeconds { get; set; } = 60;
    public int DelegationTimeoutSeconds { get; set; } = 300;

    public string? Validate() =>
        ActivityRetentionDays < 1 ? "Molecule:ActivityRetentionDays must be ≥ 1"
        : A2ADefaultTimeoutSeconds is < 1 or > 225 ? "Molecule:A2ADefaultTimeoutSeconds must be between 1 and 225"
        : DelegationTimeoutSeconds < 1 ? "Molecule:DelegationTimeoutSeconds must be ≥ 1"
        : null;
}
