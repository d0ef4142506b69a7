using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Molecule.Core.Events;
using Molecule.Core.Liveness;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Liveness;

/// <summary>
/// Derived status and the offline sweep (§2.2, §2.4), with the platform's clock under test control. The sweep
/// scans every workspace, and this clock runs ahead, so these tests use an Azurite of their own: on the shared
/// one they would sweep other tests' workspaces offline.
/// </summary>
public sealed class SweepTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private AzuriteProcess storage = null!;
    private TestPlatform platform = null!;

    public async Task InitializeAsync()
    {
        storage = AzuriteProcess.Start();
        platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString },
            services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
    }

    public async Task DisposeAsync()
    {
        await platform.DisposeAsync();
        storage.Dispose();
    }

    private OfflineSweep Sweep => platform.Services.GetRequiredService<OfflineSweep>();

    private async Task<SdkAgent> OnlineAgentAsync(string name)
    {
        var agent = new SdkAgent(platform, (await platform.CreateWorkspaceAsync(name))["id"]!.GetValue<string>());
        await agent.RegisterAsync();
        Assert.Equal(200, (await agent.HeartbeatAsync()).Status);
        return agent;
    }

    [Fact]
    public async Task A_silent_agent_reads_offline_after_the_threshold_before_any_sweep()
    {
        var agent = await OnlineAgentAsync("quiet");

        clock.Advance(TimeSpan.FromSeconds(90));
        var atThreshold = await agent.PollStateAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        var past = await agent.PollStateAsync();

        Assert.Equal("online", atThreshold["status"]);
        Assert.Equal("offline", past["status"]);
        Assert.Equal("offline", (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{agent.WorkspaceId}"))["status"]);
        Assert.Empty(platform.Events.For(agent.WorkspaceId, EventNames.WorkspaceOffline));
    }

    [Fact]
    public async Task The_timer_sweep_publishes_offline_once_per_transition()
    {
        var agent = await OnlineAgentAsync("sleeper");
        var lastBeat = (await agent.PollStateAsync())["last_heartbeat_at"];
        clock.Advance(TimeSpan.FromSeconds(91));

        await platform.Services.GetRequiredService<TimerFunctions>().RunAsync("OfflineSweep", CancellationToken.None);
        await platform.Services.GetRequiredService<TimerFunctions>().RunAsync("OfflineSweep", CancellationToken.None);

        var e = Assert.Single(platform.Events.For(agent.WorkspaceId, EventNames.WorkspaceOffline));
        ApiClient.AssertJson(new JsonObject { ["last_heartbeat_at"] = lastBeat }, e.Payload);
        Assert.Equal("offline", (await agent.PollStateAsync())["status"]);

        // it comes back with a heartbeat, and a later silence is a new transition
        var back = await agent.HeartbeatAsync();
        Assert.Equal("online", back["workspace_status"]);
        Assert.Single(platform.Events.For(agent.WorkspaceId, EventNames.WorkspaceOnline), x => x.Payload["previous_status"]!.GetValue<string>() == "offline");
        clock.Advance(TimeSpan.FromSeconds(91));
        await Sweep.RunAsync(CancellationToken.None);
        Assert.Equal(2, platform.Events.For(agent.WorkspaceId, EventNames.WorkspaceOffline).Count);
    }

    [Fact]
    public async Task A_heartbeat_between_the_sweeps_read_and_write_wins()
    {
        var agent = await OnlineAgentAsync("racer");
        clock.Advance(TimeSpan.FromSeconds(91));
        var stale = (await Sweep.ListStaleAsync(CancellationToken.None)).Single(w => w.Id == agent.WorkspaceId);

        var beat = await agent.HeartbeatAsync();          // lands after the sweep's read
        var marked = await Sweep.TryMarkOfflineAsync(stale, CancellationToken.None);

        Assert.Equal("online", beat["workspace_status"]);
        Assert.False(marked);
        Assert.Equal("online", (await agent.PollStateAsync())["status"]);
        Assert.Equal("online", (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{agent.WorkspaceId}"))["status"]);
        Assert.Empty(platform.Events.For(agent.WorkspaceId, EventNames.WorkspaceOffline));
    }

    [Fact]
    public async Task The_sweep_never_touches_awaiting_paused_or_removed_workspaces()
    {
        var awaiting = (await platform.CreateWorkspaceAsync("awaiting"))["id"]!.GetValue<string>();
        var paused = await OnlineAgentAsync("paused");
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{paused.WorkspaceId}/pause");
        var removed = await OnlineAgentAsync("removed");
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removed.WorkspaceId}");
        clock.Advance(TimeSpan.FromSeconds(200));

        await Sweep.RunAsync(CancellationToken.None);

        Assert.Equal("awaiting_agent", (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{awaiting}"))["status"]);
        Assert.Equal("paused", (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{paused.WorkspaceId}"))["status"]);
        Assert.Equal("removed", (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{removed.WorkspaceId}?include_removed=true"))["status"]);
        foreach (var id in new[] { awaiting, paused.WorkspaceId, removed.WorkspaceId })
            Assert.Empty(platform.Events.For(id, EventNames.WorkspaceOffline));
    }

    [Fact]
    public async Task A_degraded_agent_that_goes_silent_is_swept_offline_and_recovers_online()
    {
        var agent = await OnlineAgentAsync("flaky");
        Assert.Equal("degraded", (await agent.HeartbeatAsync(errorRate: 0.7, sampleError: "boom"))["workspace_status"]);
        clock.Advance(TimeSpan.FromSeconds(91));

        await Sweep.RunAsync(CancellationToken.None);
        var back = await agent.HeartbeatAsync(errorRate: 0.2);

        Assert.Single(platform.Events.For(agent.WorkspaceId, EventNames.WorkspaceOffline));
        Assert.Equal("online", back["workspace_status"]); // from offline, 0.2 < 0.5 is healthy
    }
}
