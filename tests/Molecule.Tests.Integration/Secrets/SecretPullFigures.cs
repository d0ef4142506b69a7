using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;
using Agent = Molecule.Tests.Integration.Registry.Agent;
using Xunit.Abstractions;

namespace Molecule.Tests.Integration.Secrets;

/// <summary>
/// Measures what one pull costs for a workspace with 10 workspace keys and 5 global keys: Key Vault HTTP
/// requests (counted on the SecretClient pipeline, per try), Table Storage operations (OperationCounter), and
/// latency against the test vault and the local store. Asserts counts only; times are reported, never asserted.
/// Writes artifacts/secrets-pull.json at the repository root.
/// </summary>
public sealed class SecretPullFigures(ITestOutputHelper output)
{
    private const int WorkspaceKeys = 10;
    private const int GlobalKeys = 5;
    private const int Pulls = 30;

    [Fact]
    public async Task Pull_cost_and_latency_for_10_workspace_and_5_global_keys()
    {
        // Own Azurite: exactly 5 globals exist, and both platforms (each with its own vault) saved all of them.
        var azurite = await IsolatedPlatform.StartAzuriteAsync();
        try
        {
            await using var keyVault = await IsolatedPlatform.StartWithKeyVaultAsync(azurite: azurite);
            await using var local = await IsolatedPlatform.StartAsync(azurite: azurite);
            var expected = new JsonObject();
            for (var i = 0; i < GlobalKeys; i++)
            {
                await keyVault.Platform.SavedGlobalAsync($"GLOBAL_{i}", $"global-value-{i}");
                await local.Platform.SavedGlobalAsync($"GLOBAL_{i}", $"global-value-{i}");
                expected[$"GLOBAL_{i}"] = $"global-value-{i}";
            }
            for (var i = 0; i < WorkspaceKeys; i++) expected[$"WS_{i:D2}"] = $"workspace-value-{i}-" + new string('x', 64);
            var kvWs = await SeedAsync(keyVault.Platform, expected);
            var localWs = await SeedAsync(local.Platform, expected);

            // Warm-up: bearer challenge, token cache, connections, table clients.
            for (var i = 0; i < 3; i++)
            {
                (await keyVault.Platform.PullAsync(kvWs.Id, kvWs.Token)).AssertBody(200, expected);
                (await local.Platform.PullAsync(localWs.Id, localWs.Token)).AssertBody(200, expected);
            }

            keyVault.VaultRequests!.Reset();
            (await keyVault.Platform.PullAsync(kvWs.Id, kvWs.Token)).AssertBody(200, expected);
            var vaultRequestsPerPull = keyVault.VaultRequests.Count;

            var kvTables = await TableOperationsOfOnePullAsync(keyVault.Platform, kvWs, expected);
            var localTables = await TableOperationsOfOnePullAsync(local.Platform, localWs, expected);

            keyVault.VaultRequests.Reset();
            var kvLatency = await LatencyAsync(keyVault.Platform, kvWs, expected);
            var vaultRequestsOverRun = keyVault.VaultRequests.Count;
            var localLatency = await LatencyAsync(local.Platform, localWs, expected);

            var figures = new JsonObject
            {
                ["measured_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["workspace_keys"] = WorkspaceKeys,
                ["global_keys"] = GlobalKeys,
                ["pull_parallelism"] = Molecule.Core.Secrets.SecretService.PullParallelism,
                ["key_vault_requests_per_pull"] = vaultRequestsPerPull,
                ["key_vault_requests_per_pull_over_latency_run"] = (double)vaultRequestsOverRun / Pulls,
                ["table_operations_per_pull"] = new JsonObject
                {
                    ["test_vault_platform"] = Describe(kvTables),
                    ["local_store_platform"] = Describe(localTables),
                },
                ["latency_ms"] = new JsonObject
                {
                    ["pulls"] = Pulls,
                    ["test_vault"] = kvLatency,
                    ["local_store"] = localLatency,
                },
                ["environment"] = new JsonObject
                {
                    ["processors"] = Environment.ProcessorCount,
                    ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                    ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                    ["note"] = "test vault = TestKeyVault over loopback HTTPS through the real SecretClient; storage = Azurite; " +
                               "times are wall-clock per HTTP pull from the test client, under a parallel test run",
                },
            };
            var text = figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            var directory = Path.Combine(RepositoryRoot.Path, "artifacts");
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "secrets-pull.json"), text + "\n");
            output.WriteLine(text);

            Assert.Equal(WorkspaceKeys + GlobalKeys, vaultRequestsPerPull);
            Assert.Equal((WorkspaceKeys + GlobalKeys) * Pulls, vaultRequestsOverRun);
            foreach (var tables in new[] { kvTables, localTables })
            {
                var secretsOps = tables.Where(kv => kv.Key.StartsWith("secrets:", StringComparison.Ordinal)).ToDictionary();
                Assert.Equal(new Dictionary<string, long> { ["secrets:query"] = 2 }, secretsOps); // the global and the workspace partition
            }
        }
        finally
        {
            azurite.Dispose();
        }
    }

    private static async Task<Agent> SeedAsync(TestPlatform platform, JsonObject expected)
    {
        var ws = await platform.CreateClaimedAsync("figures");
        foreach (var (key, value) in expected)
            if (key.StartsWith("WS_", StringComparison.Ordinal)) await platform.SavedAsync(ws.Id, key, value!.GetValue<string>());
        return ws;
    }

    private static async Task<IReadOnlyDictionary<string, long>> TableOperationsOfOnePullAsync(TestPlatform platform, Agent ws, JsonObject expected)
    {
        platform.StorageOperations.Reset();
        (await platform.PullAsync(ws.Id, ws.Token)).AssertBody(200, expected);
        return platform.StorageOperations.Snapshot();
    }

    private static JsonObject Describe(IReadOnlyDictionary<string, long> operations)
    {
        var byKind = new JsonObject();
        foreach (var (kind, count) in operations.OrderBy(kv => kv.Key, StringComparer.Ordinal)) byKind[kind] = count;
        return new JsonObject { ["total"] = operations.Values.Sum(), ["by_kind"] = byKind };
    }

    private static async Task<JsonObject> LatencyAsync(TestPlatform platform, Agent ws, JsonObject expected)
    {
        var samples = new List<double>();
        for (var i = 0; i < Pulls; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var pull = await platform.PullAsync(ws.Id, ws.Token);
            stopwatch.Stop();
            pull.AssertBody(200, expected);
            samples.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        samples.Sort();
        double Rank(double p) => samples[Math.Max(0, (int)Math.Ceiling(p * samples.Count) - 1)];
        var median = samples.Count % 2 == 1 ? samples[samples.Count / 2] : (samples[samples.Count / 2 - 1] + samples[samples.Count / 2]) / 2;
        return new JsonObject
        {
            ["median"] = Math.Round(median, 2),
            ["p95"] = Math.Round(Rank(0.95), 2),
            ["min"] = Math.Round(samples[0], 2),
            ["max"] = Math.Round(samples[^1], 2),
        };
    }
}
