using Microsoft.Extensions.Configuration.Memory;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Molecule.Core.Events;
using Molecule.Core.Secrets;
using Molecule.Core.Storage;
using Molecule.Functions;

namespace Molecule.LocalHost;

/// <summary>Settings that exist only for LocalHost (section "LocalHost").</summary>
public sealed class LocalHostOptions
{
    /// <summary>Where LocalHost keeps its own files (the generated admin token). Default: ./.localhost</summary>
    public string DataDirectory { get; set; } = ".localhost";

    /// <summary>functions.metadata to serve; default: the copy next to this assembly (from the Functions build output).</summary>
    public string? FunctionsMetadata { get; set; }

    public bool Timers { get; set; } = true;

    /// <summary>Poll the queues of queue-triggered functions (tests turn it off and drain explicitly).</summary>
    public bool Queues { get; set; } = true;

    /// <summary>Generate (and keep) an admin token when none is configured. Off only to exercise the 503 path.</summary>
    public bool GenerateAdminToken { get; set; } = true;
}

/// <summary>
/// Runs the Functions app on one machine: Kestrel serves the HTTP triggers named in functions.metadata,
/// a background service fires the timer triggers, and the services are the ones Program.cs registers.
/// </summary>
public static class LocalHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Directory.GetCurrentDirectory() });
        // LocalHost defaults sit below every other source, so environment and arguments override them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Molecule:AllowPrivateAgentUrls"] = "true",
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });
        if (string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["urls"]))
            builder.WebHost.UseUrls(DefaultUrl);

        var local = builder.Configuration.GetSection("LocalHost").Get<LocalHostOptions>() ?? new LocalHostOptions();
        if (string.IsNullOrEmpty(builder.Configuration["Molecule:AdminToken"]) && local.GenerateAdminToken)
        {
            var (token, generated) = AdminTokenFile(local.DataDirectory);
            builder.Configuration["Molecule:AdminToken"] = token;
            builder.Services.AddSingleton(new GeneratedAdminToken(token, Path.GetFullPath(Path.Combine(local.DataDirectory, "admin-token")), generated));
        }

        var metadataPath = local.FunctionsMetadata ?? Path.Combine(AppContext.BaseDirectory, FunctionsMetadata.FileName);
        var functions = FunctionsMetadata.Load(metadataPath);
        var routePrefix = FunctionsMetadata.RoutePrefix(Path.Combine(Path.GetDirectoryName(metadataPath)!, "host.json"));

        builder.Services.AddMvcCore();
        if (string.IsNullOrWhiteSpace(builder.Configuration["Molecule:KeyVaultUri"]))
            builder.Services.AddSingleton<ISecretVault>(new LocalSecretVault(local.DataDirectory));
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<LocalRealtime>();
        builder.Services.AddSingleton<IRealtimeNegotiator>(sp => sp.GetRequiredService<LocalRealtime>());
        builder.Services.AddSingleton<ICanvasEvents, HubCanvasEvents>();
        builder.Services.AddMolecule(builder.Configuration);
        builder.Services.AddSingleton(functions);
        builder.Services.AddSingleton(sp => new TimerFunctions(sp, functions, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TimerFunctions>>(), local.Timers));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TimerFunctions>());
        builder.Services.AddSingleton(sp => new QueueFunctions(sp, functions, sp.GetRequiredService<WorkQueues>(),
            sp.GetRequiredService<ILogger<QueueFunctions>>(), local.Queues));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueFunctions>());
        customize?.Invoke(builder);

        var unsupported = functions.Where(f => f.TriggerType is not ("httpTrigger" or "timerTrigger" or "queueTrigger")).Select(f => $"{f.Name} ({f.TriggerType})").ToList();
        if (unsupported.Count > 0) throw new NotSupportedException("LocalHost has no runner for: " + string.Join(", ", unsupported));

        var app = builder.Build();
        var realtime = app.Services.GetRequiredService<LocalRealtime>();
        app.Use((context, next) => realtime.GuardAsync(context, () => next(context)));
        app.MapHttpFunctions(functions, routePrefix);
        // The in-process stand-in for Azure SignalR Service (not a function; the parity test knows it).
        app.MapHub<CanvasHub>(LocalRealtime.HubPath).WithMetadata(new LocalStandInAttribute("SignalR Service"));
        return app;
    }

    /// <summary>The addresses Kestrel listens on once started.</summary>
    public static IReadOnlyCollection<string> Addresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static (string Token, bool Generated) AdminTokenFile(string directory)
    {
        var path = Path.Combine(directory, "admin-token");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing) return (existing, false);
        Directory.CreateDirectory(directory);
        var token = "adm_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, token + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (token, true);
    }
}

/// <summary>Marks an endpoint LocalHost serves in place of an Azure service that has no local form.</summary>
public sealed record LocalStandInAttribute(string Service);

/// <summary>Present when LocalHost generated (or reused) its own admin token because none was configured.</summary>
public sealed record GeneratedAdminToken(string Token, string Path, bool NewlyGenerated);
