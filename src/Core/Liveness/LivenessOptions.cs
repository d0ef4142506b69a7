namespace Molecule.Core.Liveness;

/// <summary>Heartbeat cadence and offline threshold (§0.9, §2), section "Molecule".</summary>
public sealed class LivenessOptions
{
    public int HeartbeatIntervalSeconds { get; set; } = 30;
    public int OfflineAfterSeconds { get; set; } = 90;

    public string? Validate() =>
        HeartbeatIntervalSeconds < 1 ? "Molecule:HeartbeatIntervalSeconds must be ≥ 1"
        : OfflineAfterSeconds <= HeartbeatIntervalSeconds ? "Molecule:OfflineAfterSeconds must exceed HeartbeatIntervalSeconds"
        : null;
}
