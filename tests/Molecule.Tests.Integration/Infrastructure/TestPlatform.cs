using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Molecule.Core.Events;
using Molecule.Core.Storage;
using Molecule.LocalHost;

namespace Molecule.Tests.Integration.Infrastructure;

/// <summary>
/// A LocalHost instance in this process, on a free loopback port, against the shared Azurite. Tests talk
/// to it over real HTTP. Settings can be overridden per instance (no admin token, org pinning, CORS…).
/// </summary>
public sealed class TestPlatform : IAsyncDisposable
{
    public const string DefaultAdminToken = "test-admin-token-0123456789abcdef";

    private readonly WebApplication app;

    public HttpClient Http { get; }
    public Uri BaseAddress { get; }
    public string? AdminToken { get; }
    public RecordingEvents Events { get; }
    public IServiceProvider Services => app.Services;
    public OperationCounter StorageOperations => app.Services.GetRequiredService<OperationCounter>();

    private TestPlatform(WebApplication app, string? adminToken, RecordingEvents events)
    {
        this.app = app;
        Events = events;
        AdminToken = adminToken;
        BaseAddress = new Uri(app.Addresses().First());
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public static async Task<TestPlatform> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string? adminToken = DefaultAdminToken)
    {
        var values = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = AzuriteProcess.Shared.ConnectionString,
            ["LocalHost:Timers"] = "false",
            ["LocalHost:Queues"] = "false",
            ["LocalHost:DataDirectory"] = Path.Combine(Path.GetTempPath(), "molecule-tests", Guid.NewGuid().ToString("N")),
            ["Molecule:AdminToken"] = adminToken ?? "",
            ["LocalHost:GenerateAdminToken"] = adminToken is null ? "false" : "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var args = values.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

        var recorder = new RecordingEvents();
        var app = LocalHostApp.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.Replace(ServiceDescriptor.Singleton<ICanvasEvents>(recorder));
            services?.Invoke(builder.Services);
        });
        recorder.Forward = ActivatorUtilities.CreateInstance<HubCanvasEvents>(app.Services);
        await app.StartAsync();
        return new TestPlatform(app, string.IsNullOrEmpty(adminToken) ? null : adminToken, recorder);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
