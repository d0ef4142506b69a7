using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;

namespace Molecule.Functions;

public sealed class HealthFunctions(ApiPipeline api)
{
    public static readonly string Version =
        typeof(HealthFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    [Function("Health")]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Public, Kind: RouteKind.Health),
            _ => Task.FromResult(ApiResult.Ok(new { status = "ok", version = Version })), ct);
}
