namespace Molecule.Core.Liveness;

/// <summary>What a heartbeat does to a workspace's status (contract §2.3), as a pure function.</summary>
public static class Transitions
{
    public const double DegradedAt = 0.5;
    public const double RecoveredBelow = 0.1;

    public readonly record struct Outcome(string Status, string? Event);

    /// <param name="derived">The status derived at read time (§2.2), never "removed" here.</param>
    public static Outcome Heartbeat(string derived, double errorRate, bool wedged)
    {
        switch (derived)
        {
            case Status.Paused:
                return new Outcome(Status.Paused, null);
            case Status.Degraded:
                return errorRate < RecoveredBelow && !wedged
                    ? new Outcome(Status.Online, Events.EventNames.WorkspaceOnline)
                    : new Outcome(Status.Degraded, null);
            default: // awaiting_agent, offline (stored or derived), online
                if (errorRate >= DegradedAt || wedged) return new Outcome(Status.Degraded, Events.EventNames.WorkspaceDegraded);
                return new Outcome(Status.Online, derived == Status.Online ? null : Events.EventNames.WorkspaceOnline);
        }
    }

    /// <summary>Register (claim or bearer update): online unless paused; an event when it was not online.</summary>
    public static Outcome Register(string derived) =>
        derived == Status.Paused ? new Outcome(Status.Paused, null)
        : new Outcome(Status.Online, derived == Status.Online ? null : Events.EventNames.WorkspaceOnline);

    /// <summary>The sweep's rule: a stored online/degraded that reads as offline is written offline.</summary>
    public static bool SweepsOffline(string stored, DateTimeOffset? lastHeartbeatAt, DateTimeOffset now, TimeSpan offlineAfter) =>
        stored is Status.Online or Status.Degraded && Status.Derive(stored, lastHeartbeatAt, now, offlineAfter) == Status.Offline;
}
