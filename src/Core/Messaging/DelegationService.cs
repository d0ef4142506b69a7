using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Molecule.Core.Api;
using Molecule.Core.Auth;
using Molecule.Core.Discovery;
using Molecule.Core.Events;
using Molecule.Core.Storage;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Messaging;

/// <summary>
/// Delegation (§3.10): a task sent from one workspace to another as a message/send. Poll targets get it in
/// their inbox before the answer; push targets are dialled by the queue-triggered DelegationDial function
/// (one attempt, DelegationTimeoutSeconds), never by work that outlives the HTTP invocation.
/// </summary>
public sealed class DelegationService(
    Tables tables,
    WorkspaceStore store,
    Tokens tokens,
    HierarchyRule hierarchy,
    A2AProxy proxy,
    ActivityService activity,
    ActivityStore activityStore,
    WorkQueues queues,
    EventPublisher events,
    IOptions<MessagingOptions> options,
    TimeProvider time)
{
    private Task<TableClient> TableAsync(CancellationToken ct) => tables.GetAsync(Tables.Delegations, ct);

    public sealed record DialRequest(string DelegationId, string SourceId, string TargetId, string BaseUrl);

    public async Task<ApiResult> DelegateAsync(ApiRequest call, string pathId)
    {
        var ct = call.Aborted;
        var header = call.Http.Headers["X-Workspace-ID"].ToString().Trim();
        if (header.Length > 0 && !Ids.IsWorkspaceId(header)) return Errors.InvalidWorkspaceId("X-Workspace-ID");
        var bearer = call.Bearer;
        if (!bearer.IsPresent) return Errors.MissingWorkspaceToken();
        if (bearer.IsAdmin) return Errors.OwnTokenRequired();
        if (bearer.Kind != CredentialKind.WorkspaceToken) return Errors.InvalidWorkspaceToken();

        // Authenticate before reading the body (§1.4): the source is the path id or X-Workspace-ID, whichever
        // the body's shape says, so the token must be live for one of them now and for the chosen one below.
        var (pathWorkspace, pathStanding) = await tokens.LoadAsync(pathId, bearer.TokenHash!, ct);
        WorkspaceEntity? headerWorkspace = null;
        var headerStanding = TokenStanding.Unknown;
        if (header.Length > 0 && header != pathId) (headerWorkspace, headerStanding) = await tokens.LoadAsync(header, bearer.TokenHash!, ct);
        if (pathStanding != TokenStanding.Live && headerStanding != TokenStanding.Live) return Errors.InvalidWorkspaceToken();
        if (call.RateLimit(bearer.TokenHash) is { } tooMany) return tooMany;

        if (ApiPipeline.ParseObject(call.RawBody) is not { } parsed) return ApiPipeline.BodyError(call.RawBody);
        call.Body = parsed;
        var f = call.Fields;
        var targetField = f.WorkspaceId("target_id");
        if (f.Error is { } badTarget) return badTarget;
        string sourceId, targetId;
        if (targetField is not null)
        {
            if (header.Length > 0 && header != pathId) return Errors.InvalidHeader("X-Workspace-ID: must match the delegating workspace");
            (sourceId, targetId) = (pathId, targetField);
        }
        else if (header.Length > 0) (sourceId, targetId) = (header, pathId);
        else return Errors.InvalidBody("target_id: required");
        var (source, standing) = sourceId == pathId ? (pathWorkspace, pathStanding) : (headerWorkspace, headerStanding);
        if (standing != TokenStanding.Live) return Errors.InvalidWorkspaceToken();

        var task = f.String("task", required: true, maxBytes: 32 * 1024);
        var key = f.String("idempotency_key", nonEmpty: true);
        if (key is not null && (key.Length > 128 || key.Any(c => c is < ' ' or > '~'))) f.Fail("idempotency_key: must be 1 to 128 printable ASCII characters");
        if (f.Error is { } invalid) return invalid;
        if (sourceId == targetId) return ApiResult.Error(400, "self-delegation not permitted");

        var target = await store.GetAsync(targetId, ct);
        if (target is null || !target.Claimed) return Errors.WorkspaceNotFound();
        if (!await hierarchy.AllowsAsync(source!, target, ct))
            return ApiResult.Error(403, "access denied: workspaces cannot communicate per hierarchy rules");
        if (target.IsRemoved) return Errors.WorkspaceRemovedShort();
        if (target.Status == Liveness.Status.Paused) return ApiResult.Error(409, "workspace paused");

        var table = await TableAsync(ct);
        if (key is not null
            && await Tables.ReadAsync<DelegationKeyEntity>(table, sourceId, DelegationKeyEntity.RowFor(key), ct) is { } known
            && await Tables.ReadAsync<DelegationEntity>(table, sourceId, known.DelegationId, ct) is { Status: not "failed" } existing)
        {
            return ApiResult.Ok(new JsonObject
            {
                ["delegation_id"] = existing.Id, ["status"] = existing.Status, ["target_id"] = existing.TargetId, ["idempotent_hit"] = true,
            });
        }

        var now = time.GetUtcNow();
        var delegation = new DelegationEntity
        {
            PartitionKey = sourceId, RowKey = Guid.NewGuid().ToString("D"), TargetId = targetId, Task = task!,
            TaskPreview = Preview(task!), IdempotencyKey = key, CreatedAt = now, UpdatedAt = now,
            Status = target.EffectiveDeliveryMode == "poll" ? "queued" : "delegated",
        };
        var message = Message(delegation);
        if (delegation.Status == "queued") await proxy.QueueAsync(call.BaseUrl, source, target, message, ct);
        var (trackingId, _) = await activity.LogAsync(new ActivityEntity
        {
            PartitionKey = sourceId, ActivityType = "delegation", SourceId = sourceId, TargetId = targetId, Method = "message/send",
            Summary = $"delegation to {target.Name}", Status = delegation.Status, RequestBody = message.ToJsonString(),
        }, null, ct);
        delegation.ActivityId = trackingId;
        await table.UpsertEntityAsync(delegation, TableUpdateMode.Replace, ct);
        if (key is not null)
            await table.UpsertEntityAsync(new DelegationKeyEntity { PartitionKey = sourceId, RowKey = DelegationKeyEntity.RowFor(key), DelegationId = delegation.Id }, TableUpdateMode.Replace, ct);
        await events.PublishAsync(EventNames.DelegationSent, sourceId, new JsonObject
        {
            ["delegation_id"] = delegation.Id, ["target_id"] = targetId, ["task_preview"] = delegation.TaskPreview,
        }, ct);
        if (delegation.Status == "delegated")
            await queues.EnqueueAsync(WorkQueues.DelegationDial, JsonSerializer.Serialize(new DialRequest(delegation.Id, sourceId, targetId, call.BaseUrl)), ct);
        return ApiResult.Json(202, new JsonObject { ["delegation_id"] = delegation.Id, ["status"] = delegation.Status, ["target_id"] = targetId });
    }

    /// <summary>The queue-triggered push dial: exactly one attempt, then completed or failed.</summary>
    public async Task DialAsync(DialRequest request, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var delegation = await Tables.ReadAsync<DelegationEntity>(table, request.SourceId, request.DelegationId, ct);
        if (delegation is not { Status: "delegated" }) return; // already handled (a redelivered message)
        var source = await store.GetAsync(request.SourceId, ct);
        var target = await store.GetAsync(request.TargetId, ct);
        string? error;
        string? preview = null;
        if (target is null || source is null) error = "workspace not found";
        else if (target.IsRemoved) error = "workspace removed";
        else if (target.Status == Liveness.Status.Paused) error = "workspace paused";
        else
        {
            var (outcome, _) = await proxy.PushAsync(request.BaseUrl, source, target, Message(delegation), new HeaderDictionary(),
                TimeSpan.FromSeconds(options.Value.DelegationTimeoutSeconds), ct);
            error = outcome.IsSuccess ? null : outcome.Error;
            if (outcome.IsSuccess) preview = ResponsePreview(outcome.AgentJson);
        }
        delegation.Status = error is null ? "completed" : "failed";
        delegation.Error = error;
        delegation.ResponsePreview = preview;
        delegation.UpdatedAt = time.GetUtcNow();
        await table.UpsertEntityAsync(delegation, TableUpdateMode.Replace, ct);
        if (delegation.ActivityId is { } trackingId)
        {
            var activityTable = await activityStore.TableAsync(ct);
            try
            {
                await activityTable.UpdateEntityAsync(new TableEntity(request.SourceId, trackingId) { ["Status"] = delegation.Status, ["ErrorDetail"] = error },
                    ETag.All, TableUpdateMode.Merge, ct);
            }
            catch (RequestFailedException e) when (e.Status == 404) { }
        }
        await events.PublishAsync(error is null ? EventNames.DelegationComplete : EventNames.DelegationFailed, request.SourceId,
            error is null
                ? new JsonObject { ["delegation_id"] = delegation.Id, ["target_id"] = delegation.TargetId, ["response_preview"] = preview ?? "" }
                : new JsonObject { ["delegation_id"] = delegation.Id, ["target_id"] = delegation.TargetId, ["error"] = error }, ct);
    }

    /// <summary>GET /workspaces/:id/delegations — newest first.</summary>
    public async Task<ApiResult> ListAsync(ApiRequest call, string sourceId)
    {
        if (call.Workspace is null) return Errors.WorkspaceNotFound();
        if (call.IntQuery("limit", 1, 200, 50, out var badLimit) is not { } limit) return badLimit!;
        var table = await TableAsync(call.Aborted);
        var rows = new List<DelegationEntity>();
        await foreach (var row in table.QueryAsync<DelegationEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {sourceId} and RowKey lt {"k-"}"), cancellationToken: call.Aborted))
            rows.Add(row);
        var list = new JsonArray();
        foreach (var d in rows.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Take(limit))
        {
            var view = new JsonObject
            {
                ["delegation_id"] = d.Id, ["source_id"] = d.SourceId, ["target_id"] = d.TargetId, ["task_preview"] = d.TaskPreview,
                ["status"] = d.Status, ["idempotency_key"] = d.IdempotencyKey, ["created_at"] = ApiJson.Timestamp(d.CreatedAt),
                ["updated_at"] = ApiJson.Timestamp(d.UpdatedAt),
            };
            if (d.ResponsePreview is not null) view["response_preview"] = d.ResponsePreview;
            if (d.Error is not null) view["error"] = d.Error;
            list.Add(view);
        }
        return ApiResult.Ok(list);
    }

    private static JsonObject Message(DelegationEntity d) => new()
    {
        ["jsonrpc"] = "2.0", ["id"] = d.Id, ["method"] = "message/send",
        ["params"] = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["role"] = "user", ["messageId"] = d.Id,
                ["parts"] = new JsonArray(new JsonObject { ["kind"] = "text", ["text"] = d.Task }),
                ["metadata"] = new JsonObject { ["delegation_id"] = d.Id },
            },
        },
    };

    private static string Preview(string text) => text.Length <= 200 ? text : text[..200];

    /// <summary>The reply's text (result, result.parts, result.status.message.parts, result.artifacts[].parts), else the body.</summary>
    public static string ResponsePreview(byte[]? json)
    {
        if (json is not { Length: > 0 }) return "";
        var raw = System.Text.Encoding.UTF8.GetString(json);
        JsonNode? result = null;
        try { result = JsonNode.Parse(json)?["result"]; } catch (JsonException) { }
        static IEnumerable<string> Texts(JsonNode? parts) => parts is JsonArray a
            ? a.OfType<JsonObject>().Where(p => p["text"] is JsonValue v && v.GetValueKind() == JsonValueKind.String).Select(p => p["text"]!.GetValue<string>())
            : [];
        var texts = new List<string>();
        if (result is JsonValue s && s.GetValueKind() == JsonValueKind.String) texts.Add(s.GetValue<string>());
        else if (result is JsonObject r)
        {
            texts.AddRange(Texts(r["parts"]));
            texts.AddRange(Texts(r["status"]?["message"]?["parts"]));
            if (r["artifacts"] is JsonArray artifacts) foreach (var artifact in artifacts) texts.AddRange(Texts(artifact?["parts"]));
        }
        return Preview(texts.Count > 0 ? string.Join("\n", texts) : raw);
    }
}
