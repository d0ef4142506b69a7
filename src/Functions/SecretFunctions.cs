using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Secrets;
using Molecule.Core.Storage;

namespace Molecule.Functions;

/// <summary>Secret routes (contract §3.7) and the background purge of a removed workspace's secrets.</summary>
public sealed class SecretFunctions(ApiPipeline api, SecretService secrets)
{
    private const int Body = RouteSpec.DefaultBodyLimit;

    [Function("PullSecrets")]
    public Task<IActionResult> Pull(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/secrets/values")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Own, id), call => secrets.PullAsync(call, id), ct);

    [Function("ListSecrets")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/secrets")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id), call => secrets.ListAsync(call, id), ct);

    [Function("SaveSecret")]
    public Task<IActionResult> Save(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", Route = "workspaces/{id}/secrets")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id, Body), call => secrets.SaveAsync(call, id), ct);

    [Function("DeleteSecret")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "workspaces/{id}/secrets/{key}")] HttpRequest req, string id, string key, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id) { SecretKey = key }, call => secrets.DeleteAsync(call, id, key), ct);

    [Function("ListGlobalSecrets")]
    public Task<IActionResult> ListGlobal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "settings/secrets")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin), secrets.ListGlobalAsync, ct);

    [Function("SaveGlobalSecret")]
    public Task<IActionResult> SaveGlobal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "put", Route = "settings/secrets")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin, BodyLimit: Body), call => secrets.SaveAsync(call, null), ct);

    [Function("DeleteGlobalSecret")]
    public Task<IActionResult> DeleteGlobal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "settings/secrets/{key}")] HttpRequest req, string key, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin) { SecretKey = key }, call => secrets.DeleteAsync(call, null, key), ct);

    /// <summary>Retries deleting a removed workspace's secrets; throwing lets the host retry, then poison the message.</summary>
    [Function("SecretPurge")]
    public async Task Purge([QueueTrigger(WorkQueues.SecretPurge, Connection = "AzureWebJobsStorage")] string workspaceId, CancellationToken ct)
    {
        var failed = await secrets.PurgeWorkspaceAsync(workspaceId.Trim(), ct);
        if (failed.Count > 0) throw new InvalidOperationException($"{failed.Count} secrets of {workspaceId} could not be deleted yet");
    }
}
