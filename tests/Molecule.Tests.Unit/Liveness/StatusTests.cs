using Molecule.Core.Liveness;

namespace Molecule.Tests.Unit.Liveness;

public class StatusDeriveTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 2, 10, 15, 30, TimeSpan.Zero);
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("online")]
    [InlineData("degraded")]
    public void Derive_HeartbeatOlderThanThresholdReadsOffline(string stored)
    {
        var lastHeartbeat = Now - OfflineAfter - TimeSpan.FromMilliseconds(1);

        var status = Status.Derive(stored, lastHeartbeat, Now, OfflineAfter);

        Assert.Equal("offline", status);
    }

    [Theory]
    [InlineData("online")]
    [InlineData("degraded")]
    public void Derive_HeartbeatLongAgoReadsOffline(string stored)
    {
        var lastHeartbeat = Now - TimeSpan.FromDays(3);

        var status = Status.Derive(stored, lastHeartbeat, Now, OfflineAfter);

        Assert.Equal("offline", status);
    }

    [Theory]
    [InlineData("online")]
    [InlineData("degraded")]
    public void Derive_HeartbeatExactlyAtThresholdKeepsStoredStatus(string stored)
    {
        var lastHeartbeat = Now - OfflineAfter;

        var status = Status.Derive(stored, lastHeartbeat, Now, OfflineAfter);

        Assert.Equal(stored, status);
    }

    [Theory]
    [InlineData("online")]
    [InlineData("degraded")]
    public void Derive_RecentHeartbeatKeepsStoredStatus(string stored)
    {
        var lastHeartbeat = Now - TimeSpan.FromSeconds(5);

        var status = Status.Derive(stored, lastHeartbeat, Now, OfflineAfter);

        Assert.Equal(stored, status);
    }

    [Theory]
    [InlineData("online")]
    [InlineData("degraded")]
    public void Derive_NoHeartbeatEverReadsOffline(string stored)
    {
        var status = Status.Derive(stored, null, Now, OfflineAfter);

        Assert.Equal("offline", status);
    }

    [Theory]
    [InlineData("awaiting_agent", null)]
    [InlineData("awaiting_agent", 0)]
    [InlineData("awaiting_agent", 90)]
    [InlineData("awaiting_agent", 86400)]
    [InlineData("paused", null)]
    [InlineData("paused", 0)]
    [InlineData("paused", 91)]
    [InlineData("paused", 86400)]
    [InlineData("removed", null)]
    [InlineData("removed", 0)]
    [InlineData("removed", 86400)]
    [InlineData("offline", null)]
    [InlineData("offline", 0)]
    [InlineData("offline", 86400)]
    public void Derive_NonHeartbeatingStatusesAreUnchangedWhateverTheHeartbeatAge(string stored, int? heartbeatAgeSeconds)
    {
        DateTimeOffset? lastHeartbeat = heartbeatAgeSeconds is { } age ? Now - TimeSpan.FromSeconds(age) : null;

        var status = Status.Derive(stored, lastHeartbeat, Now, OfflineAfter);

        Assert.Equal(stored, status);
    }
}
