using Microsoft.Extensions.Time.Testing;
using Molecule.Core.Events;
using Molecule.Core.Liveness;

namespace Molecule.Tests.Unit.Liveness;

/// <summary>The §2.3 transition table for heartbeats, register and the sweep.</summary>
public sealed class TransitionsTests
{
    [Theory]
    [InlineData("awaiting_agent", 0.0, false, "online", EventNames.WorkspaceOnline)]
    [InlineData("offline", 0.49, false, "online", EventNames.WorkspaceOnline)]
    [InlineData("online", 0.0, false, "online", null)]
    [InlineData("awaiting_agent", 0.5, false, "degraded", EventNames.WorkspaceDegraded)]
    [InlineData("offline", 0.0, true, "degraded", EventNames.WorkspaceDegraded)]
    [InlineData("online", 0.9, false, "degraded", EventNames.WorkspaceDegraded)]
    [InlineData("online", 0.0, true, "degraded", EventNames.WorkspaceDegraded)]
    [InlineData("degraded", 0.09, false, "online", EventNames.WorkspaceOnline)]
    [InlineData("degraded", 0.1, false, "degraded", null)]
    [InlineData("degraded", 0.3, false, "degraded", null)]
    [InlineData("degraded", 0.0, true, "degraded", null)]
    [InlineData("paused", 0.0, false, "paused", null)]
    [InlineData("paused", 1.0, true, "paused", null)]
    public void Heartbeat_follows_the_transition_table(string derived, double errorRate, bool wedged, string expected, string? expectedEvent)
    {
        var outcome = Transitions.Heartbeat(derived, errorRate, wedged);

        Assert.Equal(expected, outcome.Status);
        Assert.Equal(expectedEvent, outcome.Event);
    }

    [Theory]
    [InlineData("awaiting_agent", "online", EventNames.WorkspaceOnline)]
    [InlineData("offline", "online", EventNames.WorkspaceOnline)]
    [InlineData("degraded", "online", EventNames.WorkspaceOnline)]
    [InlineData("online", "online", null)]
    [InlineData("paused", "paused", null)]
    public void Register_brings_a_workspace_online_unless_paused(string derived, string expected, string? expectedEvent)
    {
        var outcome = Transitions.Register(derived);

        Assert.Equal(expected, outcome.Status);
        Assert.Equal(expectedEvent, outcome.Event);
    }

    [Fact]
    public void A_degraded_workspace_that_went_silent_recovers_like_an_offline_one()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-05-02T10:00:00Z"));
        var lastBeat = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromSeconds(91));

        var derived = Status.Derive(Status.Degraded, lastBeat, clock.GetUtcNow(), TimeSpan.FromSeconds(90));
        var outcome = Transitions.Heartbeat(derived, 0.3, false);

        Assert.Equal(Status.Offline, derived);
        Assert.Equal(Status.Online, outcome.Status);
    }

    [Theory]
    [InlineData("online", 91, true)]
    [InlineData("degraded", 91, true)]
    [InlineData("online", 90, false)]
    [InlineData("online", 30, false)]
    [InlineData("offline", 500, false)]
    [InlineData("awaiting_agent", 500, false)]
    [InlineData("paused", 500, false)]
    [InlineData("removed", 500, false)]
    public void The_sweep_writes_offline_only_for_stale_online_or_degraded_rows(string stored, int silentSeconds, bool expected)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-05-02T10:00:00Z"));
        var lastBeat = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromSeconds(silentSeconds));

        Assert.Equal(expected, Transitions.SweepsOffline(stored, lastBeat, clock.GetUtcNow(), TimeSpan.FromSeconds(90)));
    }
}
