using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Plugins;

namespace Molecule.Functions;

/// <summary>Plugin routes (contract §3.11).</summary>
public sealed class PluginFunctions(ApiPipeline api, PluginService plugins)
{
    [Function("PublishPlugin")]
    public Task<IActionResult> Publish(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "plugins/{name}")] HttpRequest req, string name, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin) { PluginName = name }, call => plugins.PublishAsync(call, name), ct);

    [Function("ListPlugins")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "plugins")] HttpRequest req, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrAnyWorkspace), plugins.ListAsync, ct);

    [Function("DeletePlugin")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "plugins/{name}")] HttpRequest req, string name, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin) { PluginName = name }, call => plugins.DeleteAsync(call, name), ct);

    [Function("DownloadPlugin")]
    public Task<IActionResult> Download(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "plugins/{name}/download")] HttpRequest req, string name, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrAnyWorkspace) { PluginName = name }, call => plugins.DownloadAsync(call, name), ct);

    [Function("DownloadWorkspacePlugin")]
    public Task<IActionResult> DownloadForWorkspace(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/plugins/{name}/download")] HttpRequest req, string id, string name, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Own, id) { PluginName = name }, call => plugins.DownloadAsync(call, name), ct);

    [Function("RecordPluginInstall")]
    public Task<IActionResult> RecordInstall(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/plugins")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Own, id, RouteSpec.DefaultBodyLimit), call => plugins.RecordInstallAsync(call, id), ct);

    [Function("ListPluginInstalls")]
    public Task<IActionResult> ListInstalls(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/plugins")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id), call => plugins.ListInstallsAsync(call, id), ct);
}
