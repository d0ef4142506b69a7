using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http;
using Molecule.Core.Api;
using Molecule.Core.Auth;
using Molecule.Core.Discovery;
using Molecule.Core.Events;
using Molecule.Core.Network;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Messaging;

/// <summary>
/// POST /workspaces/:id/a2a (§3.8): identifies the caller (an agent by X-Workspace-ID and its own token, the
/// canvas by the admin token), applies the hierarchy rule, and delivers — queued in the target's inbox
/// (poll) or dialled through the SSRF-safe client (push). The caller's credentials never leave the platform.
/// </summary>
public sealed class A2AProxy(
    WorkspaceStore store,
    Tokens tokens,
    HierarchyRule hierarchy,
    ActivityService activity,
    AgentDialer dialer,
    EventPublisher events,
    IOptions<MessagingOptions> options)
{
    public const int MaxBody = 1024 * 1024;
    private static readonly string[] ReservedCallerPrefixes = ["webhook:", "system:", "test:", "channel:"];

    public async Task<ApiResult> HandleAsync(ApiRequest call, string targetId)
    {
        var ct = call.Aborted;
        var http = call.Http;
        // 1. X-Timeout (path id and size were checked by the pipeline)
        var timeoutHeader = http.Headers["X-Timeout"].ToString();
        var timeout = TimeSpan.FromSeconds(options.Value.A2ADefaultTimeoutSeconds);
        if (timeoutHeader.Length > 0)
        {
            if (!int.TryParse(timeoutHeader.Trim(), System.Globalization.NumberStyles.None, null, out var seconds) || seconds is < 1 or > 225)
                return Errors.InvalidHeader("X-Timeout: must be an integer between 1 and 225");
            timeout = TimeSpan.FromSeconds(seconds);
        }

        // 2–3. the caller
        var bearer = call.Bearer;
        var callerHeader = http.Headers["X-Workspace-ID"].ToString().Trim();
        WorkspaceEntity? caller = null;
        if (callerHeader.Length > 0)
        {
            if (ReservedCallerPrefixes.Any(p => callerHeader.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
                return ApiResult.Error(403, "invalid caller ID");
            if (!Ids.IsWorkspaceId(callerHeader)) return Errors.InvalidWorkspaceId("X-Workspace-ID");
            if (!bearer.IsPresent) return MissingCaller();
            if (bearer.Kind != CredentialKind.WorkspaceToken) return InvalidCaller();
            (caller, var standing) = await tokens.LoadAsync(callerHeader, bearer.TokenHash!, ct);
            if (standing != TokenStanding.Live) return InvalidCaller();
        }
        else
        {
            if (!bearer.IsPresent) return MissingCaller();
            if (!bearer.IsAdmin) return InvalidCaller();
        }
        if (call.RateLimit(bearer.TokenHash) is { } tooMany) return tooMany;

        // 4. the body
        JsonObject body;
        try
        {
            if (JsonNode.Parse(call.RawBody.Span) is not JsonObject parsed)
                return ApiResult.Error(400, "invalid JSON", detail: "body: must be a JSON object");
            body = parsed;
        }
        catch (JsonException)
        {
            return Errors.InvalidJson();
        }

        // 5–7. the target
        var target = await store.GetAsync(targetId, ct);
        if (target is null || (caller is not null && !target.Claimed)) return Errors.WorkspaceNotFound();
        if (caller is not null && !await hierarchy.AllowsAsync(caller, target, ct))
            return ApiResult.Error(403, "access denied: workspaces cannot communicate per hierarchy rules");
        if (target.IsRemoved) return Errors.WorkspaceRemovedShort();
        if (target.Status == Liveness.Status.Paused) return ApiResult.Error(409, "workspace paused");

        var message = Normalize(body);
        if (StringOf(message["method"]) is not { Length: > 0 and <= 128 }) return Errors.InvalidBody("method: required");
        return await DeliverAsync(call, caller, target, message, timeout, ct);
    }

    private static ApiResult MissingCaller() => ApiResult.Error(401, "missing caller auth token");
    private static ApiResult InvalidCaller() => ApiResult.Error(401, "invalid caller auth token");

    /// <summary>§3.8.2: wrap non-JSON-RPC bodies, give params.message a messageId. Everything else is kept as sent.</summary>
    public static JsonObject Normalize(JsonObject body)
    {
        var message = body;
        if (!body.ContainsKey("jsonrpc"))
        {
            message = new JsonObject
            {
                ["jsonrpc"] = "2.0", ["id"] = Guid.NewGuid().ToString(),
                ["method"] = body["method"]?.DeepClone(), ["params"] = body["params"]?.DeepClone(),
            };
        }
        if (message["params"] is JsonObject p && p["message"] is JsonObject inner && !inner.ContainsKey("messageId"))
            inner["messageId"] = Guid.NewGuid().ToString();
        return message;
    }

    /// <summary>A JSON string's value; null for anything else, including a string that is not valid Unicode.</summary>
    public static string? StringOf(JsonNode? node)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String) return null;
        try { return value.GetValue<string>(); }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>The text parts of params.message, joined by newlines (§3.9.1 data.text).</summary>
    public static string TextOf(JsonObject message)
    {
        if (message["params"]?["message"]?["parts"] is not JsonArray parts) return "";
        var texts = new List<string>();
        foreach (var part in parts.OfType<JsonObject>())
        {
            var kind = StringOf(part["kind"] ?? part["type"]);
            var text = StringOf(part["text"]);
            if (text is not null && (kind == "text" || kind is null && !part.ContainsKey("kind") && !part.ContainsKey("type"))) texts.Add(text);
        }
        return string.Join("\n", texts);
    }

    private async Task<ApiResult> DeliverAsync(ApiRequest call, WorkspaceEntity? caller, WorkspaceEntity target, JsonObject message, TimeSpan timeout, CancellationToken ct)
    {
        var method = message["method"]!.GetValue<string>();
        if (target.EffectiveDeliveryMode == "poll")
        {
            var (activityId, _) = await QueueAsync(call.BaseUrl, caller, target, message, ct);
            return ApiResult.Ok(new JsonObject { ["status"] = "queued", ["delivery_mode"] = "poll", ["method"] = method, ["activity_id"] = activityId });
        }
        var (outcome, _) = await PushAsync(call.BaseUrl, caller, target, message, call.Http.Headers, timeout, ct);
        return outcome.Response;
    }

    /// <summary>Poll delivery: the message becomes an a2a_receive row in the target's inbox, once per messageId (§3.8.3).</summary>
    public async Task<(string ActivityId, bool Existing)> QueueAsync(string baseUrl, WorkspaceEntity? caller, WorkspaceEntity target, JsonObject message, CancellationToken ct)
    {
        var messageId = StringOf(message["params"]?["message"]?["messageId"]);
        var row = InboxRow(baseUrl, caller, target, message);
        row.Status = "queued";
        return await activity.LogAsync(row, messageId, ct);
    }

    /// <summary>Push delivery: dial the agent, record the exchange on the target, tell the canvas about its own answers (§3.8.4–5).</summary>
    public async Task<(DialOutcome Outcome, string ActivityId)> PushAsync(string baseUrl, WorkspaceEntity? caller, WorkspaceEntity target, JsonObject message,
        IHeaderDictionary callerHeaders, TimeSpan timeout, CancellationToken ct)
    {
        var method = message["method"]!.GetValue<string>();
        var row = InboxRow(baseUrl, caller, target, message);
        var outcome = await dialer.DialAsync(target.Url, Encoding.UTF8.GetBytes(message.ToJsonString()), caller?.Id ?? "canvas", callerHeaders, timeout, ct);
        row.Status = outcome.IsSuccess ? "ok" : "error";
        row.DurationMs = outcome.DurationMs;
        row.ErrorDetail = outcome.Error;
        if (outcome.AgentJson is { Length: > 0 } agentJson)
            row.ResponseBody = agentJson.Length <= 256 * 1024 ? Encoding.UTF8.GetString(agentJson)
                : new JsonObject { ["truncated"] = true, ["bytes"] = agentJson.Length }.ToJsonString();
        var (logged, _) = await activity.LogAsync(row, null, ct);
        if (caller is null && outcome.IsSuccess)
        {
            var payload = new JsonObject { ["activity_id"] = logged, ["method"] = method, ["duration_ms"] = outcome.DurationMs };
            if (outcome.AgentJson is { Length: > 0 } json)
            {
                if (json.Length > 64 * 1024) payload["truncated"] = true;
                else payload["response_body"] = JsonNode.Parse(json);
            }
            await events.PublishAsync(EventNames.A2AResponse, target.Id, payload, ct);
        }
        return (outcome, logged);
    }

    private static ActivityEntity InboxRow(string baseUrl, WorkspaceEntity? caller, WorkspaceEntity target, JsonObject message)
    {
        var method = message["method"]!.GetValue<string>();
        var data = caller is null
            ? new JsonObject { ["source"] = "canvas_user", ["kind"] = "canvas_user", ["text"] = TextOf(message), ["peer_id"] = "", ["peer_name"] = "", ["peer_role"] = "", ["agent_card_url"] = "" }
            : new JsonObject
            {
                ["source"] = "peer_agent", ["kind"] = "peer_agent", ["text"] = TextOf(message), ["peer_id"] = caller.Id,
                ["peer_name"] = caller.Name, ["peer_role"] = caller.Role, ["agent_card_url"] = $"{baseUrl}/registry/discover/{caller.Id}",
            };
        return new ActivityEntity
        {
            PartitionKey = target.Id, ActivityType = "a2a_receive", SourceId = caller?.Id, TargetId = target.Id, Method = method,
            Summary = $"{method} from {caller?.Name ?? "canvas"}", RequestBody = message.ToJsonString(), Data = data.ToJsonString(),
        };
    }
}
