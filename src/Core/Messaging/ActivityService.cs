using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Molecule.Core.Api;
using Molecule.Core.Events;

namespace Molecule.Core.Messaging;

/// <summary>The activity feed, the poll inbox read, notify and self-reports (contract §3.9).</summary>
public sealed class ActivityService(ActivityStore store, EventPublisher events, TimeProvider time)
{
    public static readonly string[] SelfReportTypes = ["a2a_send", "task_update", "agent_log", "skill_promotion", "memory_write", "error"];

    /// <summary>Appends a row and emits ACTIVITY_LOGGED (unless the message id was already queued).</summary>
    public async Task<(string Id, bool Existing)> LogAsync(ActivityEntity row, string? messageId, CancellationToken ct)
    {
        var (id, existing) = await store.AppendAsync(row, messageId, ct);
        if (!existing)
            await events.PublishAsync(EventNames.ActivityLogged, row.PartitionKey, new JsonObject
            {
                ["activity_id"] = id, ["activity_type"] = row.ActivityType, ["method"] = row.Method, ["summary"] = row.Summary,
                ["status"] = row.Status, ["source_id"] = row.SourceId, ["target_id"] = row.TargetId, ["duration_ms"] = row.DurationMs,
            }, ct);
        return (id, existing);
    }

    /// <summary>GET /workspaces/:id/activity (§3.9.2).</summary>
    public async Task<ApiResult> ListAsync(ApiRequest call, string workspaceId)
    {
        if (call.Workspace is null) return Errors.WorkspaceNotFound();
        var type = call.Query("type");
        var source = call.Query("source");
        if (source is not null and not ("canvas" or "agent")) return Errors.InvalidQuery("source: must be canvas or agent");
        var limitText = call.Query("limit");
        if (call.IntQuery("limit", 1, 500, 100, out var badLimit) is not { } limit) return badLimit!;
        var sinceId = call.Query("since_id");
        var sinceSecsText = call.Query("since_secs");
        if (call.IntQuery("since_secs", 1, 2_592_000, 0, out var badSince) is not { } since) return badSince!;
        int? sinceSecs = sinceSecsText is null ? null : since;
        var peerId = call.Query("peer_id");
        if (peerId is not null && !Ids.IsWorkspaceId(peerId)) return Errors.InvalidWorkspaceId("peer_id");
        var beforeText = call.Query("before_ts");
        DateTimeOffset? before = null;
        if (beforeText is not null)
        {
            if (!ApiJson.TryParseTimestamp(beforeText, out var b)) return Errors.InvalidQuery("before_ts: must be an RFC 3339 timestamp");
            before = b;
        }

        var now = time.GetUtcNow();
        var conditions = new List<string>();
        if (type is not null) conditions.Add(TableClient.CreateQueryFilter($"ActivityType eq {type}"));
        if (peerId is not null) conditions.Add(TableClient.CreateQueryFilter($"SourceId eq {peerId}"));
        if (sinceSecs is { } secs) conditions.Add(TableClient.CreateQueryFilter($"CreatedAt ge {now.AddSeconds(-secs)}"));
        if (before is { } bts) conditions.Add(TableClient.CreateQueryFilter($"CreatedAt lt {bts}"));
        var filter = conditions.Count == 0 ? null : string.Join(" and ", conditions);
        bool Matches(ActivityEntity r) => source switch { "canvas" => r.SourceId is null, "agent" => r.SourceId is not null, _ => true };

        var ct = call.Aborted;
        var rows = new List<ActivityEntity>();
        if (sinceId is not null)
        {
            if (!Ulid.IsValid(sinceId)) return CursorLost();
            // One query: the cursor row itself (any type) plus the matching rows after it.
            var scanFilter = filter is null ? null : TableClient.CreateQueryFilter($"RowKey eq {sinceId}") + $" or ({filter})";
            var first = true;
            await foreach (var row in store.ScanAsync(workspaceId, sinceId, scanFilter, ct))
            {
                if (first)
                {
                    if (row.RowKey != sinceId) return CursorLost();
                    first = false;
                    continue;
                }
                if (!Matches(row)) continue;
                rows.Add(row);
                if (rows.Count == limit) break;
            }
            if (first) return CursorLost();
        }
        else
        {
            var window = new Queue<ActivityEntity>();
            await foreach (var row in store.ScanAsync(workspaceId, null, filter, ct))
            {
                if (!Matches(row)) continue;
                window.Enqueue(row);
                if (window.Count > limit) window.Dequeue();
            }
            rows = window.ToList(); // the newest `limit`, oldest first
            var inboxFirstPoll = type == "a2a_receive" && limitText is not null && source is null && sinceSecsText is null;
            if (!inboxFirstPoll) rows.Reverse();
        }

        var body = new JsonArray();
        foreach (var row in rows)
        {
            await store.LoadBodiesAsync(row, ct);
            body.Add(View(row));
        }
        return ApiResult.Ok(body);
    }

    private static ApiResult CursorLost() => ApiResult.Error(410, "cursor lost");

    /// <summary>POST /workspaces/:id/notify — agent → canvas chat, stored as agent_message (§3.9.3).</summary>
    public async Task<ApiResult> NotifyAsync(ApiRequest call, string workspaceId)
    {
        var f = call.Fields;
        var message = f.String("message", required: true, maxBytes: 32 * 1024);
        var attachments = new JsonArray();
        if (!f.Failed && call.Body.TryGetProperty("attachments", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array) f.Fail("attachments: must be an array");
            else if (list.GetArrayLength() > 20) f.Fail("attachments: must have at most 20 entries");
            else
            {
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    if (!ValidAttachment(item)) { f.Fail($"attachments[{i}]: uri and name are required"); break; }
                    var file = new JsonObject { ["uri"] = item.GetProperty("uri").GetString(), ["name"] = item.GetProperty("name").GetString() };
                    if (item.TryGetProperty("mimeType", out var mime) && mime.ValueKind == JsonValueKind.String && BodyReader.TryGetString(mime, out var mimeText)) file["mimeType"] = mimeText;
                    if (item.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number) file["size"] = JsonNode.Parse(size.GetRawText());
                    attachments.Add(file);
                    i++;
                }
            }
        }
        if (f.Error is { } invalid) return invalid;

        var workspace = call.Workspace!;
        var response = new JsonObject { ["result"] = message };
        if (attachments.Count > 0)
            response["parts"] = new JsonArray(attachments.Select(a => (JsonNode)new JsonObject { ["kind"] = "file", ["file"] = a!.DeepClone() }).ToArray());
        await LogAsync(new ActivityEntity
        {
            PartitionKey = workspaceId, ActivityType = "agent_message", SourceId = workspaceId, Method = "notify",
            Summary = Truncate(message!, 80), Status = "ok", ResponseBody = response.ToJsonString(),
        }, null, call.Aborted);
        var payload = new JsonObject { ["message"] = message, ["workspace_id"] = workspaceId, ["name"] = workspace.Name };
        if (attachments.Count > 0) payload["attachments"] = attachments.DeepClone();
        await events.PublishAsync(EventNames.AgentMessage, workspaceId, payload, call.Aborted);
        return ApiResult.Ok(new JsonObject { ["status"] = "sent" });
    }

    private static bool ValidAttachment(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object
        && item.TryGetProperty("uri", out var uri) && uri.ValueKind == JsonValueKind.String
        && BodyReader.TryGetString(uri, out var u) && u is { Length: > 0 and <= 2048 } && Uri.TryCreate(u, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
        && item.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
        && BodyReader.TryGetString(name, out var n) && n.Length > 0 && BodyReader.CharCount(n) <= 255;

    /// <summary>POST /workspaces/:id/activity — an agent's self-report (§3.9.4).</summary>
    public async Task<ApiResult> ReportAsync(ApiRequest call, string workspaceId)
    {
        var f = call.Fields;
        var type = f.String("activity_type", required: true);
        if (type is not null && !SelfReportTypes.Contains(type)) f.Fail("activity_type: must be one of " + string.Join(", ", SelfReportTypes));
        var method = f.String("method", maxBytes: 128) ?? "";
        var summary = f.String("summary", maxBytes: 1024) ?? "";
        var targetId = f.WorkspaceId("target_id");
        var sourceId = f.WorkspaceId("source_id");
        var status = f.String("status") ?? "ok";
        if (status is not ("ok" or "error")) f.Fail("status: must be ok or error");
        var errorDetail = f.String("error_detail", maxBytes: 4096);
        var duration = f.Integer("duration_ms", 0, long.MaxValue, reason: "must be an integer ≥ 0");
        var metadata = f.Object("metadata", RouteSpec.DefaultBodyLimit);
        if (f.Error is { } invalid) return invalid;
        if (sourceId is not null && sourceId != workspaceId) return ApiResult.Error(403, "source_id must match authenticated workspace");

        string? Raw(string name) => call.Body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetRawText() : null;
        var row = new ActivityEntity
        {
            PartitionKey = workspaceId, ActivityType = type!, SourceId = workspaceId, TargetId = targetId, Method = method, Summary = summary,
            Status = status, ErrorDetail = errorDetail, DurationMs = duration,
            RequestBody = Raw("request_body") ?? (metadata is { } m ? System.Text.Encoding.UTF8.GetString(m.Utf8) : null),
            ResponseBody = Raw("response_body"),
        };
        var (id, _) = await LogAsync(row, null, call.Aborted);
        return ApiResult.Ok(new JsonObject { ["status"] = "logged", ["id"] = id });
    }

    /// <summary>The row shape of §3.9.1; request/response bodies only when set, data only on a2a_receive rows.</summary>
    public static JsonObject View(ActivityEntity row)
    {
        var created = ApiJson.Timestamp(row.CreatedAt);
        var view = new JsonObject
        {
            ["id"] = row.RowKey, ["workspace_id"] = row.PartitionKey, ["activity_type"] = row.ActivityType, ["type"] = row.ActivityType,
            ["source_id"] = row.SourceId, ["target_id"] = row.TargetId, ["method"] = row.Method, ["summary"] = row.Summary,
            ["status"] = row.Status, ["error_detail"] = row.ErrorDetail, ["duration_ms"] = row.DurationMs,
            ["created_at"] = created, ["ts"] = created,
        };
        if (row.RequestBody is { } request) view["request_body"] = JsonNode.Parse(request);
        if (row.ResponseBody is { } response) view["response_body"] = JsonNode.Parse(response);
        if (row.ActivityType == "a2a_receive" && row.Data is { } data && JsonNode.Parse(data) is JsonObject envelope)
        {
            envelope["activity_id"] = row.RowKey;
            view["data"] = envelope;
        }
        return view;
    }

    private static string Truncate(string text, int characters)
    {
        var runes = text.EnumerateRunes().Take(characters + 1).ToList();
        return runes.Count <= characters ? text : string.Concat(runes.Take(characters).Select(r => r.ToString()));
    }
}
