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
