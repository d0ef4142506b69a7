using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Molecule.Bench;
using Molecule.Core.Storage;
using Molecule.LocalHost;

// Registry benchmark (issue 3): N simulated agents doing what the SDK does — register, then a heartbeat
// and a state poll every interval — against LocalHost + Azurite, then a saturation run of heartbeats and
// a raw Azurite point-merge run at the same concurrency. `canvas` as the first argument runs the canvas
// benchmark instead (CanvasBench.cs). Storage operations are counted by the Table
// clients' pipeline policy, attributed per route. Everything runs on this machine; run it with
//   dotnet run -c Release --project bench/Molecule.Bench -- --agents 5000 --interval 30 --duration 120
if (args.FirstOrDefault() == "canvas") return await Molecule.Bench.CanvasBench.RunAsync(args[1..]);

var options = BenchOptions.Parse(args);
Console.WriteLine($"agents={options.Agents} interval={options.Interval.TotalSeconds}s duration={options.Duration.TotalSeconds}s concurrency={options.Concurrency} saturate={options.Saturate.TotalSeconds}s");

await using var host = await BenchHost.StartAsync(app => app.Use(async (context, next) =>
{
    var path = context.Request.Path.Value ?? "";
    OperationCounter.Scope.Value = path == "/registry/heartbeat" ? "heartbeat" : path.EndsWith("/state", StringComparison.Ordinal) ? "state" : "other";
    await next();
}));
var counter = host.StorageOperations;
var baseUrl = host.BaseUrl;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
{
    BaseAddress = new Uri(baseUrl),
    Timeout = TimeSpan.FromSeconds(30),
};

// 1. Setup: create and claim every workspace (the SDK's first register).
var sw = Stopwatch.StartNew();
var agents = new (string Id, string Token)[options.Agents];
await Parallel.ForEachAsync(Enumerable.Range(0, options.Agents), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, ct) =>
{
    agents[i] = await BenchAgent.CreateAsync(http, $"bench-{i}", ct);
});
Console.WriteLine($"setup: {options.Agents} workspaces created and claimed in {sw.Elapsed.TotalSeconds:F1}s");

// 2. Fleet: each agent heartbeats and polls its state once per interval, spread evenly over the interval.
// Nothing changes state here, so no canvas event (SignalR message) should be published: counted, not assumed.
counter.Reset();
host.Events.Reset();
var heartbeatLatency = new ConcurrentBag<double>();
var stateLatency = new ConcurrentBag<double>();
long heartbeats = 0, polls = 0, errors = 0;
var start = Stopwatch.GetTimestamp();
var end = TimeSpan.FromSeconds(options.Duration.TotalSeconds);
var fleet = Enumerable.Range(0, options.Agents).Select(i => Task.Run(async () =>
{
    var (id, token) = agents[i];
    var due = options.Interval * i / options.Agents;
    while (due < end)
    {
        var wait = due - Stopwatch.GetElapsedTime(start);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var (ok, ms) = await TimedAsync(() => BenchAgent.HeartbeatAsync(http, id, token));
        heartbeatLatency.Add(ms);
        Interlocked.Increment(ref heartbeats);
        if (!ok) Interlocked.Increment(ref errors);
        (ok, ms) = await TimedAsync(() => State(http, id, token));
        stateLatency.Add(ms);
        Interlocked.Increment(ref polls);
        if (!ok) Interlocked.Increment(ref errors);
        due += options.Interval;
    }
})).ToArray();
await Task.WhenAll(fleet);
var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
var ops = counter.Snapshot();
var steadyEvents = host.Events.Published;
double PerRequest(string scope, long count) => count == 0 ? 0 : ops.Where(kv => kv.Key.StartsWith(scope + "|")).Sum(kv => kv.Value) / (double)count;
string Breakdown(string scope, long count) => string.Join(", ", ops.Where(kv => kv.Key.StartsWith(scope + "|"))
    .OrderBy(kv => kv.Key).Select(kv => $"{kv.Key[(scope.Length + 1)..]}={kv.Value / (double)count:F3}"));

var all = heartbeatLatency.Concat(stateLatency).Order().ToArray();
var fleetReport = new
{
    agents = options.Agents,
    interval_seconds = options.Interval.TotalSeconds,
    duration_seconds = Math.Round(elapsed, 1),
    requests = heartbeats + polls,
    requests_per_second = Math.Round((heartbeats + polls) / elapsed, 1),
    errors,
    p50_ms = Math.Round(Percentile(all, 0.50), 2),
    p99_ms = Math.Round(Percentile(all, 0.99), 2),
    heartbeat_p99_ms = Math.Round(Percentile(heartbeatLatency.Order().ToArray(), 0.99), 2),
    state_p99_ms = Math.Round(Percentile(stateLatency.Order().ToArray(), 0.99), 2),
    storage_ops_per_heartbeat = Math.Round(PerRequest("heartbeat", heartbeats), 3),
    storage_ops_per_state_poll = Math.Round(PerRequest("state", polls), 3),
    heartbeat_ops = Breakdown("heartbeat", heartbeats),
    state_ops = Breakdown("state", polls),
    canvas_events_published = steadyEvents,
    signalr_messages_per_agent_per_hour = Math.Round(steadyEvents / (double)options.Agents / (elapsed / 3600), 3),
};
Console.WriteLine("fleet: " + JsonSerializer.Serialize(fleetReport));

// 3. Saturation: back-to-back heartbeats from `concurrency` workers, then raw Azurite point merges.
var saturated = await SaturateAsync(options, async (worker, n) =>
{
    var (id, token) = agents[(worker + n * options.Concurrency) % agents.Length];
    return await BenchAgent.HeartbeatAsync(http, id, token);
});
var raw = new TableClient(host.StorageConnectionString, "benchraw");
await raw.CreateIfNotExistsAsync();
await Parallel.ForEachAsync(Enumerable.Range(0, options.Concurrency), async (w, ct) =>
    await raw.UpsertEntityAsync(new TableEntity("p" + w, "r") { ["Beat"] = 0L }, TableUpdateMode.Replace, ct));
var merged = await SaturateAsync(options, async (worker, n) =>
{
    await raw.UpsertEntityAsync(new TableEntity("p" + worker, "r") { ["Beat"] = (long)n, ["At"] = DateTimeOffset.UtcNow }, TableUpdateMode.Merge);
    return true;
});
var saturation = new
{
    concurrency = options.Concurrency,
    heartbeats_per_second = Math.Round(saturated.PerSecond, 1),
    heartbeat_errors = saturated.Errors,
    raw_azurite_merges_per_second = Math.Round(merged.PerSecond, 1),
    ratio = Math.Round(saturated.PerSecond / merged.PerSecond, 3),
};
Console.WriteLine("saturation: " + JsonSerializer.Serialize(saturation));

Directory.CreateDirectory(Path.Combine(RepositoryRoot.Path, "artifacts"));
var reportPath = Path.Combine(RepositoryRoot.Path, "artifacts", $"bench-registry-{options.Agents}.json");
await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(new { fleet = fleetReport, saturation }, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"report: {reportPath}");
return fleetReport.errors == 0 ? 0 : 1;

static async Task<bool> State(HttpClient http, string id, string token)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, $"/workspaces/{id}/state");
    request.Headers.Authorization = new("Bearer", token);
    using var response = await http.SendAsync(request);
    await response.Content.ReadAsByteArrayAsync();
    return response.IsSuccessStatusCode;
}

static async Task<(bool Ok, double Ms)> TimedAsync(Func<Task<bool>> call)
{
    var t = Stopwatch.GetTimestamp();
    try
    {
        var ok = await call();
        return (ok, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    }
    catch (Exception)
    {
        return (false, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    }
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static async Task<(double PerSecond, long Errors)> SaturateAsync(BenchOptions options, Func<int, int, Task<bool>> call)
{
    long done = 0, errors = 0;
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
    {
        for (var n = 0; stop.Elapsed < options.Saturate; n++)
        {
            bool ok;
            try { ok = await call(worker, n); } catch (Exception) { ok = false; }
            Interlocked.Increment(ref done);
            if (!ok) Interlocked.Increment(ref errors);
        }
    })));
    return (done / stop.Elapsed.TotalSeconds, errors);
}

sealed record BenchOptions(int Agents, TimeSpan Interval, TimeSpan Duration, int Concurrency, TimeSpan Saturate)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var compress = double.Parse(Arg("--compress") ?? "1");
        return new BenchOptions(
            int.Parse(Arg("--agents") ?? "5000"),
            TimeSpan.FromSeconds(double.Parse(Arg("--interval") ?? "30") / compress),
            TimeSpan.FromSeconds(double.Parse(Arg("--duration") ?? "120")),
            int.Parse(Arg("--concurrency") ?? "32"),
            TimeSpan.FromSeconds(double.Parse(Arg("--saturate") ?? "15")));
    }
}
