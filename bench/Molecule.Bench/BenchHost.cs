using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Molecule.Core.Events;
using Molecule.Core.Storage;
using Molecule.LocalHost;

namespace Molecule.Bench;

/// <summary>
/// Azurite (in memory, free ports) and an in-process LocalHost for one benchmark run, with the storage
/// operation counter and a count of every canvas event the platform published (each one is a SignalR message
/// to every connected canvas; the hub still delivers them).
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    public const string AdminToken = "bench-admin-token";

    private readonly AzuriteProcess azurite;

    private BenchHost(AzuriteProcess azurite, WebApplication app, CountingEvents events)
    {
        this.azurite = azurite;
        App = app;
        Events = events;
        BaseUrl = app.Addresses().First();
    }

    public WebApplication App { get; }
    public string BaseUrl { get; }
    public CountingEvents Events { get; }
    public string StorageConnectionString => azurite.ConnectionString;
    public OperationCounter StorageOperations => App.Services.GetRequiredService<OperationCounter>();

    public static async Task<BenchHost> StartAsync(Action<WebApplication>? configure = null, params string[] settings)
    {
        var azurite = AzuriteProcess.Start();
        var app = LocalHostApp.Build(
        [
            "--urls=http://127.0.0.1:0", $"--AzureWebJobsStorage={azurite.ConnectionString}", $"--Molecule:AdminToken={AdminToken}",
            $"--LocalHost:DataDirectory={Path.Combine(Path.GetTempPath(), "molecule-bench")}", "--Logging:LogLevel:Default=Warning",
            $"--Molecule:RateLimitPerMinute={int.MaxValue}", .. settings,
        ], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.Replace(ServiceDescriptor.Singleton<ICanvasEvents>(sp =>
                new CountingEvents(ActivatorUtilities.CreateInstance<HubCanvasEvents>(sp))));
        });
        configure?.Invoke(app);
        await app.StartAsync();
        return new BenchHost(azurite, app, (CountingEvents)app.Services.GetRequiredService<ICanvasEvents>());
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        azurite.Dispose();
    }
}

/// <summary>Counts published canvas events, then hands them to the real hub.</summary>
public sealed class CountingEvents(ICanvasEvents inner) : ICanvasEvents
{
    private long published;

    public long Published => Interlocked.Read(ref published);

    public void Reset() => Interlocked.Exchange(ref published, 0);

    public Task PublishAsync(CanvasEvent canvasEvent, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref published);
        return inner.PublishAsync(canvasEvent, cancellationToken);
    }
}

/// <summary>What a simulated agent (and the admin who creates it) sends, for both benchmarks.</summary>
public static class BenchAgent
{
    /// <summary>Creates a workspace as the admin and claims it with the SDK's first register; returns its id and token.</summary>
    public static async Task<(string Id, string Token)> CreateAsync(HttpClient http, string name, CancellationToken cancellationToken = default)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/workspaces") { Content = JsonContent.Create(new { name, role = "bench" }) };
        create.Headers.Authorization = new("Bearer", BenchHost.AdminToken);
        using var created = await http.SendAsync(create, cancellationToken);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["id"]!.GetValue<string>();
        using var registered = await http.PostAsJsonAsync("/registry/register",
            new { id, url = "remote://no-inbound", agent_card = new { name, description = "benchmark agent", version = "1.0.0", skills = Array.Empty<object>() } },
            cancellationToken);
        return (id, (await registered.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["auth_token"]!.GetValue<string>());
    }

    /// <summary>One heartbeat; an error rate ≥ 0.5 makes an online agent degraded, 0 brings it back.</summary>
    public static async Task<bool> HeartbeatAsync(HttpClient http, string id, string token, double errorRate = 0.0)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/registry/heartbeat")
        {
            Content = JsonContent.Create(new { workspace_id = id, current_task = "", active_tasks = 0, error_rate = errorRate, sample_error = errorRate > 0 ? "simulated" : "", uptime_seconds = 1 }),
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode;
    }
}
