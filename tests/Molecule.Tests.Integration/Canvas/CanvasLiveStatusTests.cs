using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Molecule.Core.Events;
using Molecule.Core.Liveness;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;
using static Molecule.Tests.Integration.Canvas.CanvasPage;

namespace Molecule.Tests.Integration.Canvas;

/// <summary>
/// The offline sweep seen from the canvas. The platform's clock runs ahead and the sweep touches every workspace,
/// so this class has an Azurite of its own (as SweepTests does).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CanvasSweepTests(BrowserFixture browser) : IAsyncLifetime
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

    [Fact]
    public async Task An_agent_that_stops_heartbeating_turns_offline_live_when_the_sweep_runs()
    {
        var agent = await platform.CreateClaimedAsync("sleepy");
        (await platform.RegisterAsync(agent.Id, agent.Token)).AssertStatus(200);
        (await platform.HeartbeatAsync(agent.Id, agent.Token)).AssertStatus(200);
        await using var canvas = await browser.OpenAsync(platform, nameof(An_agent_that_stops_heartbeating_turns_offline_live_when_the_sweep_runs));
        await canvas.SignInLiveAsync();
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "online");
        await canvas.BlockListRefreshAsync();

        clock.Advance(TimeSpan.FromSeconds(91));
        await platform.Services.GetRequiredService<TimerFunctions>().RunAsync("OfflineSweep", CancellationToken.None);

        Assert.Single(platform.Events.For(agent.Id, EventNames.WorkspaceOffline));
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "offline");
        await Expect(canvas.NodeField(agent.Id, ".status-label")).ToHaveTextAsync("Offline");

        // and it comes back online live with its next heartbeat
        (await platform.HeartbeatAsync(agent.Id, agent.Token)).AssertStatus(200);
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "online");
        await canvas.ScreenshotAsync();
        canvas.AssertNoErrors();
    }
}

/// <summary>Negotiate answers 503 while closed (as on a platform without realtime delivery), the real hub when open.</summary>
public sealed class NegotiateGate
{
    public volatile bool Open;

    public IRealtimeNegotiator Wrap(IRealtimeNegotiator inner) => new Gated(this, inner);

    private sealed class Gated(NegotiateGate gate, IRealtimeNegotiator inner) : IRealtimeNegotiator
    {
        public Task<RealtimeConnection?> NegotiateAsync(string baseUrl, CancellationToken cancellationToken) =>
            gate.Open ? inner.NegotiateAsync(baseUrl, cancellationToken) : Task.FromResult<RealtimeConnection?>(null);
    }
}

/// <summary>When realtime is unavailable the canvas says so, re-reads the list every 10 s, and goes live once it can.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CanvasPollingFallbackTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly NegotiateGate gate = new();
    private TestPlatform platform = null!;

    public async Task InitializeAsync() =>
        platform = await TestPlatform.StartAsync(services: s =>
            s.Replace(ServiceDescriptor.Singleton<IRealtimeNegotiator>(sp => gate.Wrap(sp.GetRequiredService<LocalRealtime>()))));

    public async Task DisposeAsync() => await platform.DisposeAsync();

    [Fact]
    public async Task Without_realtime_the_canvas_shows_polling_refreshes_every_10_s_and_recovers()
    {
        await using var canvas = await browser.OpenAsync(platform, nameof(Without_realtime_the_canvas_shows_polling_refreshes_every_10_s_and_recovers));
        Assert.Equal(503, (await platform.AdminAsync(HttpMethod.Post, "/realtime/negotiate")).Status);

        await canvas.SignInAsync();

        await Expect(canvas.Locator("#connection")).ToHaveAttributeAsync("data-state", "polling");
        await Expect(canvas.Locator("#connection")).ToBeVisibleAsync();
        await Expect(canvas.Locator("#connection")).ToContainTextAsync("refreshing every 10 s");
        // a workspace created elsewhere shows up through the 10 s re-read (no event can reach this page)
        var name = "polled-" + Guid.NewGuid().ToString("N")[..6];
        var id = RegistryApi.Id(await platform.CreateWorkspaceAsync(name));
        await Expect(canvas.NodeField(id, ".node-name")).ToHaveTextAsync(name, new() { Timeout = 15_000 });
        await canvas.ScreenshotAsync();

        gate.Open = true;
        await Expect(canvas.Locator("#connection")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 25_000 });
        await Expect(canvas.Locator("#connection")).ToContainTextAsync("Live");
        var agent = await platform.CreateClaimedAsync("after-recovery");
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "awaiting_agent", new() { Timeout = 5_000 });
        canvas.AssertNoErrors();
    }
}
