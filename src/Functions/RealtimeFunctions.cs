using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Events;

namespace Molecule.Functions;

/// <summary>SignalR negotiation for the canvas (contract §3.1).</summary>
public sealed class RealtimeFunctions(ApiPipeline api, RealtimeService realtime)
{
    [Function("RealtimeNegotiate")]
    public Task<IActionResult> Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "realtime/negotiate")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin), realtime.NegotiateAsync, ct);
}
