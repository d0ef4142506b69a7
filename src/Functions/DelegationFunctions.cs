using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Messaging;
using Molecule.Core.Storage;

namespace Molecule.Functions;

/// <summary>Delegation (contract §3.10) and its queue-triggered push dial.</summary>
public sealed class DelegationFunctions(ApiPipeline api, DelegationService delegations)
{
    [Function("Delegate")]
    public Task<IActionResult> Delegate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/delegate")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Handler, id, RouteSpec.DefaultBodyLimit) { RawBody = true }, call => delegations.DelegateAsync(call, id), ct);

    [Function("ListDelegations")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/delegations")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id), call => delegations.ListAsync(call, id), ct);

    [Function("DelegationDial")]
    public Task Dial([QueueTrigger(WorkQueues.DelegationDial, Connection = "AzureWebJobsStorage")] string message, CancellationToken ct) =>
        delegations.DialAsync(JsonSerializer.Deserialize<DelegationService.DialRequest>(message)!, ct);
}
