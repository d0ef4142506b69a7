using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Molecule.Core.Events;
using Molecule.Core.Secrets;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.KeyVault;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Secrets;

/// <summary>Helpers for the secrets tests (contract §3.7).</summary>
public static class SecretsApi
{
    public static readonly Regex TimestampPattern = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\z");

    /// <summary>A key no other test uses: <paramref name="prefix"/>_ and 32 hex digits (matches the key pattern).</summary>
    public static string UniqueKey(string prefix = "K") => $"{prefix}_{Guid.NewGuid():N}";

    public static string WorkspaceSecrets(string workspaceId) => $"/workspaces/{workspaceId}/secrets";
    public static string Values(string workspaceId) => $"/workspaces/{workspaceId}/secrets/values";

    public static string Body(string key, string value) => new JsonObject { ["key"] = key, ["value"] = value }.ToJsonString();

    public static Task<ApiResponse> SaveAsync(this TestPlatform platform, string workspaceId, string key, string value, string? bearer = null,
        HttpMethod? method = null) =>
        platform.SendAsync(method ?? HttpMethod.Post, WorkspaceSecrets(workspaceId), rawBody: Body(key, value), bearer: bearer ?? platform.AdminToken);

    public static Task<ApiResponse> SaveGlobalAsync(this TestPlatform platform, string key, string value, HttpMethod? method = null) =>
        platform.SendAsync(method ?? HttpMethod.Post, "/settings/secrets", rawBody: Body(key, value), bearer: platform.AdminToken);

    public static Task<ApiResponse> PullAsync(this TestPlatform platform, string workspaceId, string? token) =>
        platform.SendAsync(HttpMethod.Get, Values(workspaceId), bearer: token);

    public static Task<ApiResponse> ListAsync(this TestPlatform platform, string workspaceId, string? bearer = null) =>
        platform.SendAsync(HttpMethod.Get, WorkspaceSecrets(workspaceId), bearer: bearer ?? platform.AdminToken);

    public static Task<ApiResponse> ListGlobalAsync(this TestPlatform platform) =>
        platform.SendAsync(HttpMethod.Get, "/settings/secrets", bearer: platform.AdminToken);

    public static Task<ApiResponse> DeleteAsync(this TestPlatform platform, string workspaceId, string key, string? bearer = null) =>
        platform.SendAsync(HttpMethod.Delete, $"{WorkspaceSecrets(workspaceId)}/{key}", bearer: bearer ?? platform.AdminToken);

    public static Task<ApiResponse> DeleteGlobalAsync(this TestPlatform platform, string key) =>
        platform.SendAsync(HttpMethod.Delete, $"/settings/secrets/{key}", bearer: platform.AdminToken);

    public static async Task SavedAsync(this TestPlatform platform, string workspaceId, string key, string value)
    {
        var response = await platform.SaveAsync(workspaceId, key, value);
        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
    }

    public static async Task SavedGlobalAsync(this TestPlatform platform, string key, string value)
    {
        var response = await platform.SaveGlobalAsync(key, value);
        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key, ["scope"] = "global" });
    }

    /// <summary>The global keys that exist now (other tests' included).</summary>
    public static async Task<HashSet<string>> GlobalKeysAsync(this TestPlatform platform)
    {
        var response = await platform.ListGlobalAsync();
        response.AssertStatus(200);
        return response.Array.Select(e => e!["key"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// A 200 pull whose entries are exactly <paramref name="expected"/> plus, possibly, global keys of other tests
    /// (which must then be listed in /settings/secrets): the global scope is shared by every test of the platform.
    /// </summary>
    public static async Task AssertPullAsync(this TestPlatform platform, ApiResponse pull, IDictionary<string, string> expected)
    {
        pull.AssertStatus(200);
        var body = pull.Object;
        foreach (var (key, value) in expected)
            Assert.True(body[key]?.GetValue<string>() == value, $"pull: {key} expected {value}, body {pull.Text}");
        var others = body.Select(p => p.Key).Where(k => !expected.ContainsKey(k)).ToList();
        if (others.Count == 0) return;
        var globals = await platform.GlobalKeysAsync();
        Assert.All(others, k => Assert.True(globals.Contains(k), $"pull holds {k}, neither expected nor a global key"));
    }

    /// <summary>The list entries whose key is one of <paramref name="keys"/>, in list order.</summary>
    public static List<JsonObject> Only(this ApiResponse list, params string[] keys) =>
        list.Array.Select(e => e!.AsObject()).Where(e => keys.Contains(e["key"]!.GetValue<string>())).ToList();

    public static IReadOnlyList<CanvasEvent> SecretEvents(this TestPlatform platform, string? workspaceId, string key) =>
        platform.Events.All.Where(e => e.Event == EventNames.SecretsChanged && e.WorkspaceId == workspaceId
            && e.Payload["key"]?.GetValue<string>() == key).ToList();

    public static JsonObject Changed(string scope, string key, string action) =>
        new() { ["scope"] = scope, ["key"] = key, ["action"] = action };

    /// <summary>SecretClient options as production sets them, pointed at a test vault, with a short base retry delay.</summary>
    public static SecretClientOptions VaultOptions(TestKeyVault vault, params HttpPipelinePolicy[] perRetry)
    {
        var options = KeyVaultSecretVault.DefaultOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.DisableChallengeResourceVerification = true;
        options.Transport = vault.CreateTransport();
        foreach (var policy in perRetry) options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        return options;
    }

    public static string VaultPath(string? workspaceId, string key) => "/secrets/" + SecretNames.VaultName(workspaceId, key);
}

/// <summary>
/// A LocalHost on an Azurite of its own. Every LocalHost has its own vault (a local store under its data
/// directory, or a test Key Vault) while the key index is in Table storage; a global saved through one
/// platform is therefore missing from every other platform's vault, and their pulls answer 502 for it
/// (§3.7: every key, global ones included, must read). Platforms that save globals or pull run here, so
/// the other tests on the shared Azurite never see their globals and vice versa.
/// </summary>
public sealed class IsolatedPlatform : IAsyncDisposable
{
    public required AzuriteProcess Azurite { get; init; }
    public required TestPlatform Platform { get; init; }
    public required string DataDirectory { get; init; }
    public TestKeyVault? Vault { get; init; }
    public RequestCountingPolicy? VaultRequests { get; init; }
    private bool ownsAzurite = true;

    public static Task<AzuriteProcess> StartAzuriteAsync() => Task.Run(AzuriteProcess.Start);

    /// <summary>A platform with the local store (LocalHost's own vault) under a known data directory.</summary>
    public static async Task<IsolatedPlatform> StartAsync(IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, AzuriteProcess? azurite = null, string? dataDirectory = null,
        string? adminToken = TestPlatform.DefaultAdminToken)
    {
        var owns = azurite is null;
        azurite ??= await StartAzuriteAsync();
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "molecule-tests", "secrets-" + Guid.NewGuid().ToString("N"));
        // Secrets tests send many admin calls per case (the auth matrix: hundreds a minute); §0.8 is not under test here.
        var values = new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "1000000" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        values["AzureWebJobsStorage"] = azurite.ConnectionString;
        values["LocalHost:DataDirectory"] = dataDirectory;
        var platform = await TestPlatform.StartAsync(values, services, adminToken);
        return new IsolatedPlatform { Azurite = azurite, Platform = platform, DataDirectory = dataDirectory, ownsAzurite = owns };
    }

    /// <summary>A platform whose vault is the real KeyVaultSecretVault (SecretClient) against a fresh TestKeyVault.</summary>
    public static async Task<IsolatedPlatform> StartWithKeyVaultAsync(IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, AzuriteProcess? azurite = null)
    {
        var vault = await TestKeyVault.StartAsync();
        var counter = new RequestCountingPolicy();
        var adapter = new KeyVaultSecretVault(vault.VaultUri, new FakeTokenCredential(), SecretsApi.VaultOptions(vault, counter));
        var isolated = await StartAsync(settings, s =>
        {
            s.Replace(ServiceDescriptor.Singleton<ISecretVault>(adapter));
            services?.Invoke(s);
        }, azurite);
        return new IsolatedPlatform
        {
            Azurite = isolated.Azurite, Platform = isolated.Platform, DataDirectory = isolated.DataDirectory,
            Vault = vault, VaultRequests = counter, ownsAzurite = isolated.ownsAzurite,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Platform.DisposeAsync();
        if (Vault is not null) await Vault.DisposeAsync();
        if (ownsAzurite) Azurite.Dispose();
    }
}

/// <summary>One isolated local-store platform shared by the tests of a class.</summary>
public sealed class IsolatedPlatformFixture : IAsyncLifetime
{
    private IsolatedPlatform isolated = null!;

    public TestPlatform Platform => isolated.Platform;
    public string DataDirectory => isolated.DataDirectory;

    public async Task InitializeAsync() => isolated = await IsolatedPlatform.StartAsync();

    public async Task DisposeAsync() => await isolated.DisposeAsync();
}
