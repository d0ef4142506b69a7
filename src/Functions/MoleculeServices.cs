using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Molecule.Core;

namespace Molecule.Functions;

/// <summary>The app's table of contents: one line per capability. Program.cs and LocalHost both call it.</summary>
public static class MoleculeServices
{
    public static IServiceCollection AddMolecule(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddHttpPipeline(configuration)
            .AddTableStorage(configuration)
            .AddAuth(configuration)
            .AddWorkspaces(configuration)
            .AddRegistry()
            .AddSecrets(configuration)
            .AddDiscovery()
            .AddMessaging(configuration)
            .AddPlugins()
            .AddCanvasEvents(configuration)
            .AddSingleton<CanvasAssets>();
}
