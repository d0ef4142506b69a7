using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Discovery;

namespace Molecule.Functions;

/// <summary>Peers, discover and the agent card (contract §3.6).</summary>
public sealed class DiscoveryFunctions(ApiPipeline api, DiscoveryService discovery)
{
    [Function("Peers")]
    public Task<IActionResult> Peers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "registry/{id}/peers")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Own, id), discovery.PeersAsync, ct);

    [Function("Discover")]
    public Task<IActionResult> Discover(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "registry/discover/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, id), call => discovery.DiscoverAsync(call, id), ct);

    [Function("AgentCard")]
    public Task<IActionResult> AgentCard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/.well-known/agent-card.json")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, id), call => discovery.AgentCardAsync(call, id), ct);

    [Function("AgentCardLegacy")]
    public Task<IActionResult> AgentCardLegacy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/.well-known/agent.json")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, id), call => discovery.AgentCardAsync(call, id), ct);
}
