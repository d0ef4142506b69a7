namespace Molecule.Core.Liveness;

public static class Status
{
    public const string AwaitingAgent = "awaiting_agent";
    public const string Online = "online";
    public const string Degraded = "degraded";
    public const string Offline = "offline";
    public const string Paused = "paused";
    public const string Removed = "removed";

    /// <summary>§2.2: a stored online/degraded whose last heartbeat is older than the threshold reads as offline.</summary>
    public static string Derive(string stored, DateTimeOffset? lastHeartbeatAt, DateTimeOffset now, TimeSpan offlineAfter) =>
        stored is Online or Degraded && (lastHeartbeatAt is null || now - lastHeartbeatAt.Value > offlineAfter)
            ? Offline
            : stored;
}
