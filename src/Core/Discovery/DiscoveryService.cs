using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Molecule.Core.Api;
using Molecule.Core.Auth;
using Molecule.Core.Liveness;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Discovery;

/// <summary>
/// Peers, discover and the agent card routes (§3.6). Agents only ever see a peer through the platform:
/// every url is the proxy address, every card is the served (rewritten) card.
/// </summary>
public sealed class DiscoveryService(WorkspaceStore store, Tokens tokens, HierarchyRule hierarchy, IOptions<LivenessOptions> liveness, TimeProvider time)
{
    private TimeSpan OfflineAfter => TimeSpan.FromSeconds(liveness.Value.OfflineAfterSeconds);

    private static bool Visible(WorkspaceEntity w) => w.Claimed && !w.IsRemoved;

    /// <summary>GET /registry/:id/peers — siblings, then children, then the parent; claimed and not removed.</summary>
    public async Task<ApiResult> PeersAsync(ApiRequest call)
    {
        var q = call.Query("q")?.Trim();
        if (q is { Length: > 100 }) return Errors.InvalidQuery("q: must be at most 100 characters");
        var self = call.Workspace!;
        var ct = call.Aborted;
        var siblings = (await store.ChildrenAsync(self.ParentId, ct)).Where(w => w.Id != self.Id);
        var children = await store.ChildrenAsync(self.Id, ct);
        var parent = self.ParentId is { } parentId ? await store.GetAsync(parentId, ct) : null;
        var peers = siblings.Concat(children).Concat(parent is null ? [] : [parent])
            .Where(Visible)
            .Where(w => string.IsNullOrEmpty(q) || w.Name.Contains(q, StringComparison.OrdinalIgnoreCase) || w.Role.Contains(q, StringComparison.OrdinalIgnoreCase))
            .Select(w => (JsonNode)new JsonObject
            {
                ["id"] = w.Id,
                ["name"] = w.Name,
                ["tier"] = w.Tier,
                ["status"] = Status.Derive(w.Status, w.LastHeartbeatAt, time.GetUtcNow(), OfflineAfter),
                ["url"] = ServedCard.ProxyAddress(call.BaseUrl, w.Id),
                ["parent_id"] = w.ParentId,
                ["active_tasks"] = w.ActiveTasks,
                ["role"] = w.Role,
                ["agent_card"] = Served(w, call.BaseUrl),
            })
            .ToArray();
        return ApiResult.Ok(new JsonArray(peers));
    }

    /// <summary>GET /registry/discover/:id — the caller is X-Workspace-ID, authenticated by its own token.</summary>
    public async Task<ApiResult> DiscoverAsync(ApiRequest call, string targetId)
    {
        var ct = call.Aborted;
        var header = call.Http.Headers["X-Workspace-ID"].ToString().Trim();
        if (header.Length == 0) return ApiResult.Error(400, "X-Workspace-ID header is required");
        if (!Ids.IsWorkspaceId(header)) return Errors.InvalidWorkspaceId("X-Workspace-ID");
        var bearer = call.Bearer;
        if (!bearer.IsPresent) return Errors.MissingWorkspaceToken();
        if (bearer.IsAdmin) return Errors.OwnTokenRequired();
        if (bearer.Kind != CredentialKind.WorkspaceToken) return Errors.InvalidWorkspaceToken();
        var (caller, standing) = await tokens.LoadAsync(header, bearer.TokenHash!, ct);
        if (standing != TokenStanding.Live) return Errors.InvalidWorkspaceToken();
        if (call.RateLimit(bearer.TokenHash) is { } tooMany) return tooMany;

        var target = await store.GetAsync(targetId, ct);
        if (target is null || !Visible(target)) return Errors.WorkspaceNotFound();
        if (!await hierarchy.AllowsAsync(caller!, target, ct)) return ApiResult.Error(403, "not authorized to discover this workspace");
        return ApiResult.Ok(new JsonObject { ["id"] = target.Id, ["url"] = ServedCard.ProxyAddress(call.BaseUrl, target.Id), ["name"] = target.Name });
    }

    /// <summary>GET /workspaces/:id/.well-known/agent-card.json (and agent.json): admin, own token, or a peer's token.</summary>
    public async Task<ApiResult> AgentCardAsync(ApiRequest call, string targetId)
    {
        var ct = call.Aborted;
        var bearer = call.Bearer;
        if (!bearer.IsPresent) return Errors.MissingWorkspaceToken();
        WorkspaceEntity? target;
        WorkspaceEntity? caller = null;
        if (bearer.IsAdmin)
        {
            target = await store.GetAsync(targetId, ct);
        }
        else
        {
            if (bearer.Kind != CredentialKind.WorkspaceToken) return Errors.InvalidWorkspaceToken();
            var (own, standing) = await tokens.LoadAsync(targetId, bearer.TokenHash!, ct);
            if (standing == TokenStanding.Live)
            {
                target = caller = own;
            }
            else
            {
                caller = await tokens.FindLiveCallerAsync(bearer.TokenHash!, ct);
                if (caller is null || caller.Id == targetId) return Errors.InvalidWorkspaceToken();
                target = own;
            }
        }
        if (call.RateLimit(bearer.TokenHash) is { } tooMany) return tooMany;
        if (target is null || (caller is not null && !target.Claimed)) return Errors.WorkspaceNotFound();
        if (caller is not null && !await hierarchy.AllowsAsync(caller, target, ct))
            return ApiResult.Error(403, "access denied: workspaces cannot communicate per hierarchy rules");
        if (target.IsRemoved) return Errors.WorkspaceRemovedShort();
        if (Served(target, call.BaseUrl) is not { } card) return ApiResult.Error(404, "agent card not available");

        var body = JsonSerializer.SerializeToUtf8Bytes(card, ApiJson.Options);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"";
        var presented = call.Http.Headers.IfNoneMatch.ToString();
        var result = presented.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Any(t => t == etag || t == "*")
            ? ApiResult.NoBody(304)
            : ApiResult.Raw(200, body, "application/json; charset=utf-8");
        return result.WithHeader("ETag", etag).WithHeader("Cache-Control", "private, max-age=60");
    }

    private static JsonObject? Served(WorkspaceEntity w, string baseUrl) =>
        WorkspaceView.Card(w.AgentCard) is JsonObject card ? ServedCard.Rewrite(card, ServedCard.ProxyAddress(baseUrl, w.Id)) : null;
}
