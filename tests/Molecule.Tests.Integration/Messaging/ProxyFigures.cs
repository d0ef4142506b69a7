using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;
using Xunit.Abstractions;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>
/// Measured figures for the inbox poll and the A2A proxy, written to artifacts/proxy-figures.json and the test output.
/// Storage operations are asserted (exact and stable); times are only reported, never asserted.
/// Each test runs on its own LocalHost so its OperationCounter sees nothing but the measured request.
/// </summary>
public sealed class ProxyFigures(ITestOutputHelper output)
{
    private const int Repetitions = 5;
    private static readonly SemaphoreSlim FileLock = new(1, 1);
    private static string FiguresPath => Path.Combine(RepositoryRoot.Path, "artifacts", "proxy-figures.json");

    private static Task<TestPlatform> StartAsync() =>
        TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "1000000" });

    /// <summary>Counts the storage operations of exactly one request (scoped entries "label|kind" left out).</summary>
    private static async Task<(ApiResponse Response, SortedDictionary<string, long> Ops)> CountAsync(TestPlatform platform, Func<Task<ApiResponse>> request)
    {
        platform.StorageOperations.Reset();
        var response = await request();
        var ops = new SortedDictionary<string, long>(platform.StorageOperations.Snapshot()
            .Where(kv => !kv.Key.Contains('|')).ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        return (response, ops);
    }

    private static string Show(IReadOnlyDictionary<string, long> ops) => string.Join(", ", ops.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Runs one request shape five times after a warm-up; asserts the same operation counts each time.</summary>
    private async Task<SortedDictionary<string, long>> StableCountAsync(TestPlatform platform, string label, Func<Task<ApiResponse>> request, int expectedStatus)
    {
        for (var i = 0; i < 2; i++) (await request()).AssertStatus(expectedStatus); // warm-up: tables, clients, last_used_at touch
        var runs = new List<SortedDictionary<string, long>>();
        for (var i = 0; i < Repetitions; i++)
        {
            var (response, ops) = await CountAsync(platform, request);
            response.AssertStatus(expectedStatus);
            runs.Add(ops);
        }
        output.WriteLine($"{label}: {string.Join(" | ", runs.Select(Show))}");
        Assert.All(runs, r => Assert.Equal(runs[0], r));
        Assert.NotEmpty(runs[0]);
        return runs[0];
    }

    [Fact]
    public async Task Storage_operations_per_inbox_poll_and_per_proxied_call()
    {
        await using var platform = await StartAsync();
        await using var agent = await TestAgent.StartAsync();
        var lead = await platform.CreateClaimedAsync("figures-lead");
        var caller = await platform.CreateClaimedAsync("figures-caller", lead.Id);
        var pollTarget = await platform.CreateClaimedAsync("figures-poll", lead.Id);
        var pushTarget = await platform.CreateClaimedAsync("figures-push", lead.Id);
        (await platform.RegisterAsync(pushTarget.Id, pushTarget.Token, url: agent.Url)).AssertStatus(200);
        var callerHeaders = new Dictionary<string, string> { ["X-Workspace-ID"] = caller.Id };
        Task<ApiResponse> Call(Agent target) =>
            platform.SendAsync(HttpMethod.Post, $"/workspaces/{target.Id}/a2a", Messages.MessageSend("count me").ToJsonString(), caller.Token, callerHeaders);
        var cursor = (await Call(pollTarget))["activity_id"]!;
        for (var i = 0; i < 2; i++) (await Call(pollTarget)).AssertStatus(200); // two rows after the cursor

        var poll = await StableCountAsync(platform, "inbox poll", () => platform.SendAsync(HttpMethod.Get,
            $"/workspaces/{pollTarget.Id}/activity?type=a2a_receive&limit=100&since_id={cursor}", bearer: pollTarget.Token), 200);
        var proxiedPoll = await StableCountAsync(platform, "proxied call, poll target", () => Call(pollTarget), 200);
        var proxiedPush = await StableCountAsync(platform, "proxied call, push target", () => Call(pushTarget), 200);

        // the counts observed (identical in all five runs): token check = one point read of the caller's workspace row;
        // the poll is one query (cursor row + matching rows after it); a proxied call adds the target's row, the
        // inbox sequence row and one partition transaction (sequence + row [+ messageId marker])
        AssertOps(poll, ("activity:query", 1), ("workspaces:read", 1));
        AssertOps(proxiedPoll, ("$batch:batch", 1), ("activity:read", 1), ("workspaces:read", 2));
        AssertOps(proxiedPush, ("$batch:batch", 1), ("activity:read", 1), ("workspaces:read", 2));
        // the poll returned the two rows after the cursor each time (counts above are for that answer)
        Assert.Equal(2, (await platform.SendAsync(HttpMethod.Get,
            $"/workspaces/{pollTarget.Id}/activity?type=a2a_receive&limit=2&since_id={cursor}", bearer: pollTarget.Token)).Array.Count);
        Assert.Equal(2 + Repetitions, agent.Requests.Count); // warm-up + measured push dials, one each
        await WriteFiguresAsync("storage_operations", new JsonObject
        {
            ["repetitions"] = Repetitions,
            ["inbox_poll_since_id"] = Figure(poll),
            ["proxied_call_poll_target"] = Figure(proxiedPoll),
            ["proxied_call_push_target"] = Figure(proxiedPush),
        });
    }

    private static void AssertOps(SortedDictionary<string, long> actual, params (string Kind, long Count)[] expected) =>
        Assert.True(actual.SequenceEqual(expected.Select(e => KeyValuePair.Create(e.Kind, e.Count)).OrderBy(kv => kv.Key, StringComparer.Ordinal)),
            $"expected {string.Join(", ", expected.Select(e => $"{e.Kind}={e.Count}"))}, got {Show(actual)}");

    private static JsonObject Figure(SortedDictionary<string, long> ops)
    {
        var byKind = new JsonObject();
        foreach (var (kind, count) in ops) byKind[kind] = count;
        return new JsonObject { ["total"] = ops.Values.Sum(), ["by_kind"] = byKind };
    }

    [Fact]
    public async Task Proxy_overhead_against_direct_calls_to_the_same_agent()
    {
        const int calls = 200, warmUp = 20;
        await using var platform = await StartAsync();
        await using var agent = await TestAgent.StartAsync();
        var caller = await platform.CreateClaimedAsync("overhead-caller");
        var target = await platform.CreateClaimedAsync("overhead-target");
        (await platform.RegisterAsync(target.Id, target.Token, url: agent.Url)).AssertStatus(200);
        var body = Messages.MessageSend("measure me").ToJsonString();
        var proxyUrl = new Uri(platform.BaseAddress, $"/workspaces/{target.Id}/a2a");
        var directUrl = new Uri(agent.Url);
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };

        async Task<double> TimeAsync(Uri url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + caller.Token);
            request.Headers.TryAddWithoutValidation("X-Workspace-ID", caller.Id);
            var start = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Assert.True((int)response.StatusCode == 200, $"{url} answered {(int)response.StatusCode}: {text}");
            return elapsed;
        }

        for (var i = 0; i < warmUp; i++) { await TimeAsync(proxyUrl); await TimeAsync(directUrl); }
        var proxy = new List<double>();
        var direct = new List<double>();
        for (var i = 0; i < calls; i++)
        {
            // interleaved, alternating which goes first so neither always runs on a just-warmed path
            if (i % 2 == 0) { proxy.Add(await TimeAsync(proxyUrl)); direct.Add(await TimeAsync(directUrl)); }
            else { direct.Add(await TimeAsync(directUrl)); proxy.Add(await TimeAsync(proxyUrl)); }
        }

        Assert.Equal(calls, proxy.Count);
        Assert.Equal(calls, direct.Count);
        Assert.Equal(2 * (calls + warmUp), agent.Requests.Count); // every proxied call reached the agent exactly once
        var (pm, p99) = (Percentile(proxy, 50), Percentile(proxy, 99));
        var (dm, d99) = (Percentile(direct, 50), Percentile(direct, 99));
        var figures = new JsonObject
        {
            ["calls_each"] = calls, ["warm_up_each"] = warmUp,
            ["proxy_ms"] = new JsonObject { ["median"] = Round(pm), ["p99"] = Round(p99) },
            ["direct_ms"] = new JsonObject { ["median"] = Round(dm), ["p99"] = Round(d99) },
            ["ratio_proxy_over_direct"] = new JsonObject { ["median"] = Round(pm / dm), ["p99"] = Round(p99 / d99) },
            ["environment"] = $"LocalHost + Azurite on loopback, {Environment.ProcessorCount} cores; one HttpClient for both paths",
        };
        await WriteFiguresAsync("proxy_overhead", figures);
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static double Round(double value) => Math.Round(value, 3);

    /// <summary>Sets one section of artifacts/proxy-figures.json (the other section is kept) and echoes it to the test output.</summary>
    private async Task WriteFiguresAsync(string section, JsonObject figures)
    {
        figures["measured_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        output.WriteLine($"{section}: {figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}");
        await FileLock.WaitAsync();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FiguresPath)!);
            var all = File.Exists(FiguresPath) && JsonNode.Parse(await File.ReadAllTextAsync(FiguresPath)) is JsonObject existing ? existing : new JsonObject();
            all[section] = figures;
            await File.WriteAllTextAsync(FiguresPath, all.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        finally
        {
            FileLock.Release();
        }
    }
}
