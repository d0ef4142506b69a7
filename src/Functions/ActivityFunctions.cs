using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Microsoft.Extensions.Options;
using Molecule.Core.Messaging;

namespace Molecule.Functions;

/// <summary>Activity feed, poll inbox, notify and self-reports (contract §3.9).</summary>
public sealed class ActivityFunctions(ApiPipeline api, ActivityService activity, ActivityStore store, IOptions<MessagingOptions> options, TimeProvider time)
{
    private const int Body = RouteSpec.DefaultBodyLimit;

    [Function("ListActivity")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/activity")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id), call => activity.ListAsync(call, id), ct);

    [Function("ReportActivity")]
    public Task<IActionResult> Report(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/activity")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Own, id, Body), call => activity.ReportAsync(call, id), ct);

    /// <summary>Hourly: activity rows older than ActivityRetentionDays are deleted (§2.4).</summary>
    [Function("ActivityPurge")]
    public Task Purge([TimerTrigger("0 0 * * * *")] TimerInfo timer, CancellationToken ct) =>
        store.DeleteOlderThanAsync(time.GetUtcNow().AddDays(-options.Value.ActivityRetentionDays), ct);

    [Function("Notify")]
    public Task<IActionResult> Notify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/notify")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Own, id, Body), call => activity.NotifyAsync(call, id), ct);
}
