using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Liveness;

namespace Molecule.Functions;

/// <summary>What agents call to join and stay alive (contract §3.5, §3.3.9), and the offline sweep (§2.4).</summary>
public sealed class RegistryFunctions(ApiPipeline api, RegistryService registry, OfflineSweep sweep)
{
    private const int Body = RouteSpec.DefaultBodyLimit;

    [Function("Register")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "registry/register")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, BodyLimit: Body), registry.RegisterAsync, ct);

    [Function("Heartbeat")]
    public Task<IActionResult> Heartbeat(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "registry/heartbeat")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, BodyLimit: Body), registry.HeartbeatAsync, ct);

    [Function("UpdateCard")]
    public Task<IActionResult> UpdateCard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "registry/update-card")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, BodyLimit: Body), registry.UpdateCardAsync, ct);

    [Function("WorkspaceState")]
    public Task<IActionResult> State(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/state")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, id), call => registry.StateAsync(call, id), ct);

    [Function("OfflineSweep")]
    public Task Sweep([TimerTrigger("*/30 * * * * *")] TimerInfo timer, CancellationToken ct) => sweep.RunAsync(ct);
}
