using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Molecule.Core.Events;
using Molecule.Core.Secrets;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Secrets;

/// <summary>Every log line, with its category, level, state properties and exception text.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> entries = new();

    public IReadOnlyList<string> Entries => entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            entries.Enqueue($"{logLevel} {category} [{eventId}] {formatter(state, exception)} | {properties} | {exception}");
        }
    }
}

/// <summary>
/// No secret value reaches a log line, an event, a stored index row or any response but /secrets/values
/// (contract §0.4, §3.7, §4), on both vaults, through a full flow that includes vault failures.
/// </summary>
public sealed class SecretLeakTests
{
    public enum Store { Local, KeyVault }

    private sealed class Recorder(TestPlatform platform)
    {
        public readonly List<(string Route, string Text)> Responses = [];
        public readonly List<string> Pulls = [];

        public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? body = null, string? bearer = null)
        {
            var response = await platform.SendAsync(method, path, rawBody: body, bearer: bearer ?? platform.AdminToken);
            var headers = string.Join("\n", response.Headers.Concat(response.ContentHeaders).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
            if (path.EndsWith("/secrets/values", StringComparison.Ordinal)) Pulls.Add(response.Text);
            else Responses.Add(($"{method} {path} → {response.Status}", response.Text + "\n" + headers));
            return response;
        }
    }

    [Theory]
    [InlineData(Store.Local)]
    [InlineData(Store.KeyVault)]
    public async Task No_value_appears_in_logs_events_index_rows_or_other_responses(Store store)
    {
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace" };
        void Services(IServiceCollection s) => s.AddSingleton<ILoggerProvider>(logs);
        await using var isolated = store == Store.KeyVault
            ? await IsolatedPlatform.StartWithKeyVaultAsync(settings, Services)
            : await IsolatedPlatform.StartAsync(settings, Services);
        var platform = isolated.Platform;
        var call = new Recorder(platform);
        var mark = Guid.NewGuid().ToString("N");
        string V(string name) => $"LEAKCANARY{name}{mark}";
        var values = new[] { V("global"), V("workspace"), V("override"), V("overridden"), V("updated"), V("deleted"), V("refused"), V("unreadable"), V("other") };

        var ws = await platform.CreateClaimedAsync("leak");
        var other = await platform.CreateClaimedAsync("leak-other");
        var (global, own, shared, doomed, broken, refused) = ("LEAK_GLOBAL", "LEAK_OWN", "LEAK_SHARED", "LEAK_DOOMED", "LEAK_BROKEN", "LEAK_REFUSED");

        // Saves: global, workspace, an override, an update, by admin and by the agent.
        (await call.SendAsync(HttpMethod.Post, "/settings/secrets", SecretsApi.Body(global, V("global")))).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Put, "/settings/secrets", SecretsApi.Body(shared, V("overridden")))).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body(own, V("workspace")))).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Put, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body(shared, V("override")), ws.Token)).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Put, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body(own, V("updated")), ws.Token)).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body(doomed, V("deleted")))).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(other.Id), SecretsApi.Body(own, V("other")), other.Token)).AssertStatus(200);
        // Refused and invalid calls that carry a value.
        (await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body(refused, V("refused")), other.Token)).AssertStatus(401);
        (await call.SendAsync(HttpMethod.Post, "/settings/secrets", SecretsApi.Body(refused, V("refused")), ws.Token)).AssertStatus(401);
        (await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body("1" + refused, V("refused")))).AssertStatus(400);
        (await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), $$"""{"key":"{{refused}}","value":"{{V("refused")}}" """)).AssertStatus(400);

        // Pull, list.
        var pull = await call.SendAsync(HttpMethod.Get, SecretsApi.Values(ws.Id), bearer: ws.Token);
        pull.AssertBody(200, new JsonObject { [doomed] = V("deleted"), [shared] = V("override"), [global] = V("global"), [own] = V("updated") });
        (await call.SendAsync(HttpMethod.Get, SecretsApi.WorkspaceSecrets(ws.Id))).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Get, SecretsApi.WorkspaceSecrets(ws.Id), bearer: ws.Token)).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Get, "/settings/secrets")).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Get, SecretsApi.Values(ws.Id))).AssertStatus(403);

        // Deletes.
        (await call.SendAsync(HttpMethod.Delete, $"{SecretsApi.WorkspaceSecrets(ws.Id)}/{doomed}", bearer: ws.Token)).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Delete, $"{SecretsApi.WorkspaceSecrets(ws.Id)}/{doomed}")).AssertStatus(404);

        // A vault failure: a value the vault cannot read back, and (Key Vault) a write the vault refuses.
        (await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body(broken, V("unreadable")))).AssertStatus(200);
        var brokenName = SecretNames.VaultName(ws.Id, broken);
        if (isolated.Vault is { } vault)
        {
            vault.FailReadsOf(brokenName);
            vault.FailNext(4, HttpStatusCode.ServiceUnavailable, path: SecretsApi.VaultPath(ws.Id, refused));
            var write = await call.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), SecretsApi.Body(refused, V("refused")));
            write.AssertError(502, "secret store unavailable");
        }
        else
        {
            await File.WriteAllTextAsync(Path.Combine(isolated.DataDirectory, "secrets", brokenName), "not-a-protected-payload");
        }
        var failedPull = await call.SendAsync(HttpMethod.Get, SecretsApi.Values(ws.Id), bearer: ws.Token);
        failedPull.AssertBody(502, new JsonObject { ["error"] = "secret store unavailable", ["failed_keys"] = new JsonArray("workspace:" + broken) });

        // Removing the workspace purges what is left; the global goes last.
        await platform.RemoveAsync(ws.Id);
        (await call.SendAsync(HttpMethod.Get, SecretsApi.WorkspaceSecrets(ws.Id))).AssertStatus(200);
        (await call.SendAsync(HttpMethod.Delete, $"/settings/secrets/{global}")).AssertStatus(200);

        // The provider is wired and saw the platform's own warnings (vault failures) at least.
        var entries = logs.Entries;
        Assert.Contains(entries, e => e.Contains(nameof(SecretService), StringComparison.Ordinal) && e.StartsWith("Warning", StringComparison.Ordinal));
        Assert.True(entries.Count > 20, $"only {entries.Count} log entries captured");
        foreach (var value in values)
        {
            Assert.DoesNotContain(entries, e => e.Contains(value, StringComparison.Ordinal));
            Assert.DoesNotContain(call.Responses, r => r.Text.Contains(value, StringComparison.Ordinal));
            Assert.DoesNotContain(platform.Events.All, e => JsonSerializer.Serialize(e).Contains(value, StringComparison.Ordinal));
        }
        Assert.Contains(platform.Events.All, e => e.Event == EventNames.SecretsChanged);
        var index = new TableClient(isolated.Azurite.ConnectionString, "secrets");
        await foreach (var row in index.QueryAsync<TableEntity>())
            foreach (var value in values)
                Assert.DoesNotContain(row, p => p.Value?.ToString()?.Contains(value, StringComparison.Ordinal) == true);
        Assert.Contains(call.Pulls, p => p.Contains(V("updated"), StringComparison.Ordinal)); // the one place a value may appear
    }
}
