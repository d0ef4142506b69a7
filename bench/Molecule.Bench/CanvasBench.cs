using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Molecule.LocalHost;

namespace Molecule.Bench;

/// <summary>
/// Canvas benchmark (issue 7), in one run against LocalHost + Azurite with Debian's Chromium driven by Playwright:
/// 1. latency from a heartbeat that changes a workspace's status (online ⇄ degraded) to the canvas DOM showing
///    it (the node's data-status attribute), over --changes changes; both clocks are this machine's wall clock;
/// 2. SignalR messages per agent per hour in steady state: --agents agents heartbeat every --beat-seconds for
///    --steady-seconds without changing anything, while a second hub connection in the page counts what arrives.
///   dotnet run -c Release --project bench/Molecule.Bench -- canvas --changes 40 --agents 50 --steady-seconds 60
/// </summary>
public static class CanvasBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var changes = int.Parse(Arg("--changes") ?? "40");
        var agents = int.Parse(Arg("--agents") ?? "50");
        var beat = TimeSpan.FromSeconds(double.Parse(Arg("--beat-seconds") ?? "5"));
        var steady = TimeSpan.FromSeconds(double.Parse(Arg("--steady-seconds") ?? "60"));
        Console.WriteLine($"canvas: changes={changes} agents={agents} beat={beat.TotalSeconds}s steady={steady.TotalSeconds}s");

        await using var host = await BenchHost.StartAsync(null, "--LocalHost:Timers=false");
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MOLECULE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        await page.AddInitScriptAsync($"sessionStorage.setItem('molecule.adminToken', {JsonSerializer.Serialize(BenchHost.AdminToken)});");
        await page.GotoAsync(host.BaseUrl + "/canvas");
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = 30_000 });

        // 1. Heartbeat → DOM latency.
        var (id, token) = await BenchAgent.CreateAsync(http, "latency-agent");
        await page.WaitForSelectorAsync($"[data-workspace-id='{id}'][data-status='online']", new() { Timeout = 30_000 });
        await page.EvaluateAsync(@"id => {
            window.__statusChanges = [];
            const selector = `[data-workspace-id=""${id}""]`;
            let last = document.querySelector(selector)?.getAttribute('data-status');
            new MutationObserver(() => {
                const status = document.querySelector(selector)?.getAttribute('data-status');
                if (status && status !== last) {
                    last = status;
                    window.__statusChanges.push({ status, t: performance.timeOrigin + performance.now() });
                }
            }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
        }", id);
        var latencies = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var target = i % 2 == 0 ? "degraded" : "online";
            var sent = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
            if (!await BenchAgent.HeartbeatAsync(http, id, token, target == "degraded" ? 0.6 : 0.0)) throw new InvalidOperationException("heartbeat failed");
            var shown = await page.WaitForFunctionAsync(
                "([status, after]) => window.__statusChanges.find(c => c.status === status && c.t >= after - 5)?.t ?? null",
                new object[] { target, sent }, new() { Timeout = 30_000 });
            latencies.Add(await shown.JsonValueAsync<double>() - sent);
            await Task.Delay(150);
        }
        latencies.Sort();

        // 2. Steady state: a second hub connection in the page counts every message the hub delivers.
        var fleet = new List<(string Id, string Token)>();
        for (var i = 0; i < agents; i++) fleet.Add(await BenchAgent.CreateAsync(http, $"steady-{i}"));
        await page.EvaluateAsync(@"async token => {
            window.__received = 0;
            const connection = new signalR.HubConnectionBuilder().withUrl('/realtime', { accessTokenFactory: () => token }).build();
            connection.on('event', () => { window.__received++; });
            await connection.start();
            window.__counter = connection;
        }", BenchHost.AdminToken);
        foreach (var (agent, agentToken) in fleet) await BenchAgent.HeartbeatAsync(http, agent, agentToken, 0.0); // settle: every agent online, same payload from now on
        // The counter must be able to see a message: one agent goes degraded and back (two events) before counting starts.
        await BenchAgent.HeartbeatAsync(http, fleet[0].Id, fleet[0].Token, 0.6);
        await BenchAgent.HeartbeatAsync(http, fleet[0].Id, fleet[0].Token, 0.0);
        await page.WaitForFunctionAsync("() => window.__received >= 2", null, new() { Timeout = 30_000 });
        await Task.Delay(500);
        await page.EvaluateAsync("() => { window.__received = 0; }");
        host.Events.Reset();
        var heartbeats = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(fleet.Select((agent, i) => Task.Run(async () =>
        {
            var due = beat * i / agents;
            while (due < steady)
            {
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                if (!await BenchAgent.HeartbeatAsync(http, agent.Id, agent.Token, 0.0)) throw new InvalidOperationException("heartbeat failed");
                Interlocked.Increment(ref heartbeats);
                due += beat;
            }
        })));
        await Task.Delay(1000); // anything in flight reaches the page
        var elapsedHours = clock.Elapsed.TotalHours;
        var received = await page.EvaluateAsync<long>("() => window.__received");

        Directory.CreateDirectory(Path.Combine(RepositoryRoot.Path, "artifacts"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepositoryRoot.Path, "artifacts", "bench-canvas.png") });
        var report = new
        {
            status_changes = latencies.Count,
            heartbeat_to_dom_median_ms = Math.Round(Percentile(latencies, 0.50), 1),
            heartbeat_to_dom_p95_ms = Math.Round(Percentile(latencies, 0.95), 1),
            heartbeat_to_dom_min_ms = Math.Round(latencies[0], 1),
            heartbeat_to_dom_max_ms = Math.Round(latencies[^1], 1),
            steady_agents = agents,
            steady_seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            steady_heartbeats = heartbeats,
            steady_events_published = host.Events.Published,
            steady_messages_received_by_a_canvas = received,
            signalr_messages_per_agent_per_hour = Math.Round(received / (double)agents / elapsedHours, 3),
        };
        Console.WriteLine("canvas: " + JsonSerializer.Serialize(report));
        var reportPath = Path.Combine(RepositoryRoot.Path, "artifacts", "bench-canvas.json");
        await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"report: {reportPath}");
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
