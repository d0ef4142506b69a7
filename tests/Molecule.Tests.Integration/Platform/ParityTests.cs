using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Platform;

/// <summary>LocalHost serves exactly what functions.metadata names, with the same routes and methods.</summary>
public sealed class ParityTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static string FunctionsOutput(string file)
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var path = Path.Combine(RepositoryRoot.Path, "src", "Functions", "bin", configuration, "net10.0", file);
            if (File.Exists(path) && Path.GetFullPath(AppContext.BaseDirectory).Contains($"{Path.DirectorySeparatorChar}{configuration}{Path.DirectorySeparatorChar}"))
                return path;
        }
        throw new FileNotFoundException(file);
    }

    [Fact]
    public void The_metadata_LocalHost_serves_is_the_Functions_build_output()
    {
        Assert.Equal(File.ReadAllText(FunctionsOutput("functions.metadata")), File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
    }

    [Fact]
    public void Host_json_has_an_empty_route_prefix()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(FunctionsOutput("host.json")));

        Assert.Equal("", hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal("", FunctionsMetadata.RoutePrefix(FunctionsOutput("host.json")));
    }

    [Fact]
    public void LocalHost_serves_exactly_the_HTTP_functions_of_the_metadata_with_their_routes_and_methods()
    {
        var metadata = FunctionsMetadata.Load(FunctionsOutput("functions.metadata"))
            .Where(f => f.TriggerType == "httpTrigger")
            .Select(f => $"{f.Name} {f.Route} {string.Join(',', f.Methods.Order())}")
            .Order().ToList();

        var served = platform.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<LocalStandInAttribute>() is null) // the SignalR hub standing in for Azure SignalR Service
            .Select(e => $"{e.Metadata.GetMetadata<FunctionNameAttribute>()?.Name} {e.RoutePattern.RawText} " +
                         string.Join(',', (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Order()))
            .Order().ToList();

        Assert.NotEmpty(metadata);
        Assert.Equal(metadata, served);
    }

    [Fact]
    public async Task Every_HTTP_function_is_reachable_with_each_of_its_methods()
    {
        var functions = FunctionsMetadata.Load(FunctionsOutput("functions.metadata")).Where(f => f.TriggerType == "httpTrigger" && f.Route != "{*path}");
        var reached = 0;
        foreach (var function in functions)
        {
            // the canvas catch-all answers a JSON 404 for an unknown asset by contract, so ask it for a real one
            var path = function.Route == "canvas/{*asset}" ? "/canvas/index.html"
                : "/" + Regex.Replace(function.Route!, @"\{[^}]+\}", Guid.NewGuid().ToString());
            foreach (var method in function.Methods)
            {
                var response = await platform.SendAsync(new HttpMethod(method), path);

                // The canvas answers an unknown asset with the same JSON 404, but under the canvas CSP.
                var fallback = response.Header("Content-Security-Policy") == "default-src 'self'";
                Assert.False(fallback && response.Status is 404 or 405 && response["error"] is "not found" or "method not allowed",
                    $"{function.Name}: {method} {path} fell through to the fallback ({response.Status})");
                reached++;
            }
        }
        Assert.True(reached >= 9, $"only {reached} routes checked");
    }

    [Fact]
    public void Timer_functions_of_the_metadata_are_scheduled_by_LocalHost()
    {
        var timers = FunctionsMetadata.Load(FunctionsOutput("functions.metadata")).Where(f => f.TriggerType == "timerTrigger").Select(f => f.Name).Order();

        Assert.Equal(timers, platform.Services.GetRequiredService<TimerFunctions>().Names.Order());
    }

    [Fact]
    public void Queue_functions_of_the_metadata_are_run_by_LocalHost()
    {
        var queued = FunctionsMetadata.Load(FunctionsOutput("functions.metadata")).Where(f => f.TriggerType == "queueTrigger").Select(f => f.Name).Order().ToList();

        Assert.NotEmpty(queued);
        Assert.Equal(queued, platform.Services.GetRequiredService<QueueFunctions>().Names.Order());
    }
}
