using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Messaging;

namespace Molecule.Functions;

/// <summary>The A2A proxy (contract §3.8).</summary>
public sealed class A2AFunctions(ApiPipeline api, A2AProxy proxy)
{
    [Function("A2AProxy")]
    public Task<IActionResult> Proxy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/a2a")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, id, A2AProxy.MaxBody) { RawBody = true }, call => proxy.HandleAsync(call, id), ct);
}
