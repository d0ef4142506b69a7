using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Molecule.Core.Api;
using Molecule.Core.Auth;
using Molecule.Core.Discovery;
using Molecule.Core.Events;
using Molecule.Core.Liveness;
using Molecule.Core.Messaging;
using Molecule.Core.Network;
using Molecule.Core.Secrets;
using Molecule.Core.Storage;
using Molecule.Core.Workspaces;

namespace Molecule.Core;

/// <summary>One Add… per capability; both hosts call these through Molecule.Functions' AddMolecule().</summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddHttpPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PlatformOptions>(configuration, o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<ApiPipeline>();
        return services;
    }

    public static IServiceCollection AddTableStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = StorageOptions.From(configuration);
        services.AddSingleton(storage);
        services.TryAddSingleton<OperationCounter>();
        services.AddSingleton(sp =>
        {
            if (storage.Validate() is { } error) throw new OptionsValidationException(StorageOptions.Section, typeof(StorageOptions), [error]);
            return new Tables(storage, sp.GetRequiredService<OperationCounter>());
        });
        services.AddSingleton(sp => new WorkQueues(storage, sp.GetRequiredService<OperationCounter>()));
        services.AddSingleton(sp => new Blobs(storage, sp.GetRequiredService<OperationCounter>()));
        return services;
    }

    public static IServiceCollection AddAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthOptions>(configuration, o => o.Validate());
        services.AddSingleton<BearerClassifier>();
        services.AddSingleton<Tokens>();
        services.AddSingleton<TokenService>();
        return services;
    }

    public static IServiceCollection AddWorkspaces(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<LivenessOptions>(configuration, o => o.Validate());
        services.TryAddSingleton(new AgentUrlPolicy());
        services.AddSingleton<WorkspaceStore>();
        services.AddSingleton<WorkspaceService>();
        return services;
    }

    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
        services.AddSingleton<HeartbeatRowCache>();
        services.AddSingleton<RegistryService>();
        services.AddSingleton<OfflineSweep>();
        return services;
    }

    /// <summary>
    /// Secret values in Key Vault (Molecule:KeyVaultUri, reached with the app's managed identity); a host
    /// without a vault (LocalHost) registers its own <see cref="ISecretVault"/> first.
    /// </summary>
    public static IServiceCollection AddSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<ISecretVault>(sp =>
        {
            var uri = configuration["Molecule:KeyVaultUri"];
            if (string.IsNullOrWhiteSpace(uri) || !Uri.TryCreate(uri, UriKind.Absolute, out var vaultUri) || vaultUri.Scheme != "https")
                throw new OptionsValidationException("Molecule:KeyVaultUri", typeof(string), ["Molecule:KeyVaultUri must be the vault's https URI"]);
            return new KeyVaultSecretVault(vaultUri, Tables.CredentialFor(sp.GetRequiredService<StorageOptions>()));
        });
        services.AddSingleton<SecretService>();
        return services;
    }

    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MessagingOptions>(configuration, o => o.Validate());
        services.AddSingleton<ActivityStore>();
        services.AddSingleton<ActivityService>();
        services.TryAddSingleton(sp => new SafeDialer(sp.GetRequiredService<IOptions<PlatformOptions>>().Value.AllowPrivateAgentUrls));
        services.AddSingleton<AgentDialer>();
        services.AddSingleton<A2AProxy>();
        services.AddSingleton<DelegationService>();
        return services;
    }

    public static IServiceCollection AddPlugins(this IServiceCollection services)
    {
        services.AddSingleton<Plugins.PluginService>();
        return services;
    }

    public static IServiceCollection AddDiscovery(this IServiceCollection services)
    {
        services.AddSingleton<HierarchyRule>();
        services.AddSingleton<DiscoveryService>();
        return services;
    }

    /// <summary>
    /// Canvas events through Azure SignalR Service (Molecule:SignalREndpoint, hub Molecule:SignalRHubName) with
    /// the app's managed identity; a host with its own transport (LocalHost's hub) registers it first.
    /// </summary>
    public static IServiceCollection AddCanvasEvents(this IServiceCollection services, IConfiguration configuration)
    {
        if (Uri.TryCreate(configuration["Molecule:SignalREndpoint"], UriKind.Absolute, out var endpoint))
        {
            var hub = configuration["Molecule:SignalRHubName"] is { Length: > 0 } name ? name : "canvas";
            services.TryAddSingleton(sp => new SignalRServiceEvents(endpoint, hub, Tables.CredentialFor(sp.GetRequiredService<StorageOptions>())));
            services.TryAddSingleton<ICanvasEvents>(sp => sp.GetRequiredService<SignalRServiceEvents>());
            services.TryAddSingleton<IRealtimeNegotiator>(sp => new SignalRServiceNegotiator(sp.GetRequiredService<SignalRServiceEvents>()));
        }
        services.TryAddSingleton<ICanvasEvents, LoggingCanvasEvents>();
        services.TryAddSingleton<IRealtimeNegotiator, UnconfiguredRealtime>();
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<RealtimeService>();
        return services;
    }

    private static void AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, Func<T, string?> validate)
        where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(PlatformOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new ReasonValidator<T>(validate));
    }

    private sealed class ReasonValidator<T>(Func<T, string?> validate) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            validate(options) is { } reason ? ValidateOptionsResult.Fail(reason) : ValidateOptionsResult.Success;
    }
}
