using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Workspaces;

namespace Molecule.Functions;

/// <summary>Workspace routes (contract §3.3).</summary>
public sealed class WorkspaceFunctions(ApiPipeline api, WorkspaceService workspaces)
{
    private const int Body = RouteSpec.DefaultBodyLimit;

    [Function("CreateWorkspace")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin, BodyLimit: Body), workspaces.CreateAsync, ct);

    [Function("ListWorkspaces")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin), workspaces.ListAsync, ct);

    [Function("GetWorkspace")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id), call => Task.FromResult(workspaces.Get(call)), ct);

    [Function("PatchWorkspace")]
    public Task<IActionResult> Patch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "workspaces/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin, id, Body, EmptyBodyIsObject: true), call => workspaces.PatchAsync(call, id), ct);

    [Function("DeleteWorkspace")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "workspaces/{id}")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin, id), call => workspaces.DeleteAsync(call, id), ct);

    [Function("PauseWorkspace")]
    public Task<IActionResult> Pause(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/pause")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id), call => workspaces.PauseAsync(call, id), ct);

    [Function("ResumeWorkspace")]
    public Task<IActionResult> Resume(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/resume")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin, id), call => workspaces.ResumeAsync(call, id), ct);

    [Function("ReopenClaimWindow")]
    public Task<IActionResult> ReopenClaimWindow(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/claim-window")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin, id), call => workspaces.ReopenClaimWindowAsync(call, id), ct);
}
