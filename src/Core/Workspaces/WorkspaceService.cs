using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Molecule.Core.Api;
using Molecule.Core.Auth;
using Molecule.Core.Events;
using Molecule.Core.Liveness;
using Molecule.Core.Network;
using Molecule.Core.Secrets;
using Molecule.Core.Storage;

namespace Molecule.Core.Workspaces;

/// <summary>The workspace routes of contract §3.3 (create, list, get, PATCH, delete, pause, resume, claim window).</summary>
public sealed class WorkspaceService(
    WorkspaceStore store,
    Tokens tokens,
    EventPublisher events,
    AgentUrlPolicy urls,
    SecretService secrets,
    WorkQueues queues,
    IOptions<PlatformOptions> platformOptions,
    IOptions<AuthOptions> authOptions,
    IOptions<LivenessOptions> livenessOptions,
    TimeProvider time)
{
    private readonly PlatformOptions platform = platformOptions.Value;
    private readonly TimeSpan claimWindow = TimeSpan.FromHours(authOptions.Value.ClaimWindowHours);
    private readonly TimeSpan offlineAfter = TimeSpan.FromSeconds(livenessOptions.Value.OfflineAfterSeconds);

    public WorkspaceView View(WorkspaceEntity w) => WorkspaceView.From(w, time.GetUtcNow(), offlineAfter);

    public async Task<ApiResult> CreateAsync(ApiRequest call)
    {
        var ct = call.Aborted;
        var fields = WorkspaceRules.Read(call.Fields, creating: true);
        if (call.Fields.Error is { } invalid) return invalid;
        var url = fields.Url ?? "";
        if (url.Length > 0 && await urls.ValidateForStorageAsync(url, platform.AllowPrivateAgentUrls, ct) is { } urlError)
            return Errors.InvalidBody(urlError);

        if (fields.ParentId is { } parentId && await CheckParentAsync(parentId, subtreeHeight: 1, ct) is { } parentError)
            return parentError;

        var now = time.GetUtcNow();
        var workspace = new WorkspaceEntity
        {
            PartitionKey = Ids.NewId(),
            Name = fields.Name!,
            Role = fields.Role ?? "",
            Runtime = fields.Runtime ?? "external",
            Tier = (int)(fields.Tier ?? 1),
            ParentId = fields.ParentId,
            Url = url,
            PinnedDeliveryMode = fields.DeliveryMode,
            Status = Status.AwaitingAgent,
            ClaimExpiresAt = now + claimWindow,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.AddToHierarchyAsync(workspace.Id, workspace.ParentId, ct);
        var table = await store.TableAsync(ct);
        string? plaintext = null;
        if (fields.IssueToken == true)
        {
            var minted = Tokens.Attach(workspace, now);
            await tokens.IndexAsync(minted.Entity, ct);
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, workspace),
                new TableTransactionAction(TableTransactionActionType.Add, minted.Entity),
            ], ct);
            plaintext = minted.Plaintext;
        }
        else
        {
            await table.AddEntityAsync(workspace, ct);
        }

        await events.PublishAsync(EventNames.WorkspaceAwaitingAgent, workspace.Id, AwaitingPayload(workspace), ct);

        var body = JsonSerializer.SerializeToNode(View(workspace), ApiJson.Options)!.AsObject();
        var dialable = AgentUrlPolicy.IsDialable(workspace.Url) ? workspace.Url : null;
        var orgId = string.IsNullOrEmpty(platform.OrgId) ? null : platform.OrgId;
        body["connect"] = JsonSerializer.SerializeToNode(new ConnectInfo(
            call.BaseUrl, workspace.Id, workspace.Claimed ? null : workspace.ClaimExpiresAt, plaintext,
            ConnectSnippets.Python(workspace.Id, call.BaseUrl, workspace.Name, dialable, orgId, plaintext),
            ConnectSnippets.Curl(workspace.Id, call.BaseUrl, workspace.Name, dialable, orgId, plaintext)), ApiJson.Options);
        return ApiResult.Json(201, body);
    }

    public async Task<ApiResult> ListAsync(ApiRequest call)
    {
        if (call.Flag("include_removed", out var error) is not { } includeRemoved) return error!;
        var all = await store.ListAsync(call.Aborted);
        return ApiResult.Ok(all.Where(w => includeRemoved || !w.IsRemoved)
            .OrderBy(w => w.CreatedAt).ThenBy(w => w.Id, StringComparer.Ordinal)
            .Select(View).ToList());
    }

    public ApiResult Get(ApiRequest call)
    {
        if (call.Flag("include_removed", out var error) is not { } includeRemoved) return error!;
        return call.Workspace switch
        {
            null => Errors.WorkspaceNotFound(),
            { IsRemoved: true } w when !includeRemoved => Errors.WorkspaceRemoved(w.Id, w.RemovedAt),
            var w => ApiResult.Ok(View(w)),
        };
    }

    public async Task<ApiResult> PatchAsync(ApiRequest call, string id)
    {
        var ct = call.Aborted;
        var fields = WorkspaceRules.Read(call.Fields, creating: false);
        if (call.Fields.Error is { } invalid) return invalid;
        if (fields.Url is { Length: > 0 } url && await urls.ValidateForStorageAsync(url, platform.AllowPrivateAgentUrls, ct) is { } urlError)
            return Errors.InvalidBody(urlError);

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var workspace = await store.GetAsync(id, ct);
            if (workspace is null) return Errors.WorkspaceNotFound();
            if (workspace.IsRemoved) return Errors.WorkspaceRemoved(workspace.Id, workspace.RemovedAt);

            var changed = new JsonObject();
            var previousParent = workspace.ParentId;
            if (fields.Name is { } name && name != workspace.Name) { workspace.Name = name; changed["name"] = name; }
            if (fields.Role is { } role && role != workspace.Role) { workspace.Role = role; changed["role"] = role; }
            if (fields.Tier is { } tier && tier != workspace.Tier) { workspace.Tier = (int)tier; changed["tier"] = tier; }
            if (fields.DeliveryMode is { } mode && mode != workspace.PinnedDeliveryMode)
            {
                workspace.PinnedDeliveryMode = mode;
                changed["delivery_mode"] = mode;
            }
            if (fields.Url is { } newUrl && newUrl != workspace.Url) { workspace.Url = newUrl; changed["url"] = newUrl; }
            if (fields.ParentGiven && fields.ParentId != workspace.ParentId)
            {
                if (fields.ParentId is { } parentId)
                {
                    if (parentId == id) return Cycle();
                    if (await CheckMoveAsync(workspace, parentId, ct) is { } moveError) return moveError;
                }
                workspace.ParentId = fields.ParentId;
                changed["parent_id"] = fields.ParentId;
            }

            if (changed.Count == 0) return ApiResult.Ok(View(workspace));
            workspace.UpdatedAt = time.GetUtcNow();
            if (workspace.ParentId != previousParent) await store.AddToHierarchyAsync(id, workspace.ParentId, ct);
            if (!await store.TryReplaceAsync(workspace, ct)) continue;
            if (workspace.ParentId != previousParent) await store.RemoveFromHierarchyAsync(id, previousParent, ct);

            await events.PublishAsync(EventNames.WorkspaceUpdated, id, new JsonObject { ["changed"] = changed }, ct);
            return ApiResult.Ok(View(workspace));
        }
        throw new InvalidOperationException("workspace PATCH kept conflicting");
    }

    public async Task<ApiResult> DeleteAsync(ApiRequest call, string id)
    {
        var ct = call.Aborted;
        if (call.Flag("confirm", out var error) is not { } confirm) return error!;
        var workspace = await store.GetAsync(id, ct);
        if (workspace is null) return Errors.WorkspaceNotFound();
        if (workspace.IsRemoved) return Errors.WorkspaceRemoved(workspace.Id, workspace.RemovedAt);

        var children = (await store.ChildrenAsync(id, ct)).Where(c => !c.IsRemoved).ToList();
        if (children.Count > 0 && !confirm)
        {
            return ApiResult.Error(409, "workspace has child workspaces; repeat with ?confirm=true to remove them too", extra: body =>
            {
                body["children"] = new JsonArray(children.Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["name"] = c.Name }).ToArray());
                body["children_count"] = children.Count;
            });
        }

        var descendants = (await store.DescendantsAsync(id, ct)).Where(d => !d.IsRemoved).ToList();
        var now = time.GetUtcNow();
        var removed = new List<(string Id, DateTimeOffset At)>();
        // Children first, so a failure part-way never leaves a live child under a removed parent.
        foreach (var target in descendants.AsEnumerable().Reverse().Select(d => d.Id).Append(id))
        {
            if (await TombstoneAsync(target, now, ct) is { } at) removed.Add((target, at));
        }
        foreach (var (removedId, _) in removed)
            await PurgeSecretsAsync(removedId, ct);
        foreach (var (removedId, at) in removed)
        {
            var payload = new JsonObject { ["removed_at"] = ApiJson.Timestamp(at) };
            if (removedId == id) payload["cascade_deleted"] = removed.Count - 1;
            await events.PublishAsync(EventNames.WorkspaceRemoved, removedId, payload, ct);
        }
        return ApiResult.Ok(new { status = "removed", cascade_deleted = removed.Count(r => r.Id != id) });
    }

    /// <summary>
    /// Deletes a removed workspace's secrets. What the vault refuses now is retried by the queue-triggered
    /// SecretPurge function, so a vault outage never blocks the tombstone (§3.3.5).
    /// </summary>
    private async Task PurgeSecretsAsync(string id, CancellationToken ct)
    {
        IReadOnlyList<string> failed;
        try
        {
            failed = await secrets.PurgeWorkspaceAsync(id, ct);
        }
        catch (Azure.RequestFailedException)
        {
            failed = ["*"];
        }
        if (failed.Count > 0) await queues.EnqueueAsync(WorkQueues.SecretPurge, id, ct);
    }

    /// <summary>Status removed + removed_at + every live token revoked, in one partition transaction.</summary>
    private async Task<DateTimeOffset?> TombstoneAsync(string id, DateTimeOffset now, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var workspace = await store.GetAsync(id, ct);
            if (workspace is null || workspace.IsRemoved) return null;
            workspace.Status = Status.Removed;
            workspace.RemovedAt = now;
            workspace.UpdatedAt = now;
            var revocations = await tokens.RevokeAllActionsAsync(workspace, now, ct);
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, workspace, workspace.ETag) };
            actions.AddRange(revocations);
            try
            {
                foreach (var chunk in actions.Chunk(100))
                    await table.SubmitTransactionAsync(chunk, ct);
                return now;
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 409) { }
        }
        throw new InvalidOperationException("workspace removal kept conflicting");
    }

    public async Task<ApiResult> PauseAsync(ApiRequest call, string id)
    {
        var ct = call.Aborted;
        var workspace = call.Workspace;
        if (workspace is null) return Errors.WorkspaceNotFound();
        if (workspace.IsRemoved) return Errors.WorkspaceRemoved(workspace.Id, workspace.RemovedAt);
        var targets = new List<string> { id };
        targets.AddRange((await store.DescendantsAsync(id, ct)).Where(d => !d.IsRemoved && d.Status != Status.Paused).Select(d => d.Id));
        var count = 0;
        foreach (var target in targets)
        {
            var paused = await store.UpdateAsync(target,
                w => w is { IsRemoved: false } && w.Status != Status.Paused ? w : null,
                w =>
                {
                    if (w is null) return null;
                    w.Status = Status.Paused;
                    w.UpdatedAt = time.GetUtcNow();
                    return w;
                }, ct);
            if (paused is null) continue;
            count++;
            await events.PublishAsync(EventNames.WorkspacePaused, target, new JsonObject { ["name"] = paused.Name }, ct);
        }
        return ApiResult.Ok(new { status = "paused", paused_count = count });
    }

    public async Task<ApiResult> ResumeAsync(ApiRequest call, string id)
    {
        var ct = call.Aborted;
        var workspace = await store.GetAsync(id, ct);
        if (workspace is null) return Errors.WorkspaceNotFound();
        if (workspace.IsRemoved) return Errors.WorkspaceRemoved(workspace.Id, workspace.RemovedAt);
        if (workspace.Status != Status.Paused) return ApiResult.Error(409, "workspace is not paused");
        var pausedAncestor = (await store.AncestorsAsync(workspace, ct)).LastOrDefault(a => a.Status == Status.Paused);
        if (pausedAncestor is not null)
            return ApiResult.Error(409, "an ancestor workspace is paused; resume it first", extra: b => b["ancestor_id"] = pausedAncestor.Id);

        var targets = new List<string> { id };
        targets.AddRange((await store.DescendantsAsync(id, ct)).Where(d => d.Status == Status.Paused).Select(d => d.Id));
        var count = 0;
        foreach (var target in targets)
        {
            var resumed = await store.UpdateAsync(target,
                w => w is { Status: Status.Paused } ? w : null,
                w =>
                {
                    if (w is null) return null;
                    w.Status = Status.AwaitingAgent;
                    w.UpdatedAt = time.GetUtcNow();
                    return w;
                }, ct);
            if (resumed is null) continue;
            count++;
            await events.PublishAsync(EventNames.WorkspaceAwaitingAgent, target, AwaitingPayload(resumed), ct);
        }
        return ApiResult.Ok(new { status = Status.AwaitingAgent, resumed_count = count });
    }

    public async Task<ApiResult> ReopenClaimWindowAsync(ApiRequest call, string id)
    {
        var ct = call.Aborted;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var workspace = await store.GetAsync(id, ct);
            if (workspace is null) return Errors.WorkspaceNotFound();
            if (workspace.IsRemoved) return Errors.WorkspaceRemoved(workspace.Id, workspace.RemovedAt);
            if (workspace.Claimed) return ApiResult.Error(409, "workspace already claimed");
            var now = time.GetUtcNow();
            workspace.ClaimExpiresAt = now + claimWindow;
            workspace.UpdatedAt = now;
            if (await store.TryReplaceAsync(workspace, ct))
                return ApiResult.Ok(new { workspace_id = id, claim_expires_at = workspace.ClaimExpiresAt });
        }
        throw new InvalidOperationException("claim window update kept conflicting");
    }

    private static JsonObject AwaitingPayload(WorkspaceEntity w) => new()
    {
        ["name"] = w.Name, ["role"] = w.Role, ["tier"] = w.Tier, ["runtime"] = w.Runtime,
        ["parent_id"] = w.ParentId, ["claimed"] = w.Claimed,
    };

    private static ApiResult Cycle() => ApiResult.Error(409, "parent_id would create a cycle", detail: "parent_id");

    /// <summary>Parent must exist, not be removed, and leave the deepest node at depth ≤ 32.</summary>
    private async Task<ApiResult?> CheckParentAsync(string parentId, int subtreeHeight, CancellationToken ct)
    {
        var parent = await store.GetAsync(parentId, ct);
        if (parent is null) return ApiResult.Error(404, "parent workspace not found", detail: "parent_id");
        if (parent.IsRemoved) return ApiResult.Error(409, "parent workspace removed", detail: "parent_id");
        var parentDepth = 1 + (await store.AncestorsAsync(parent, ct)).Count;
        return parentDepth + subtreeHeight > Hierarchy.MaxDepth ? ApiResult.Error(409, "hierarchy too deep", detail: "parent_id") : null;
    }

    private async Task<ApiResult?> CheckMoveAsync(WorkspaceEntity workspace, string parentId, CancellationToken ct)
    {
        var parent = await store.GetAsync(parentId, ct);
        if (parent is null) return ApiResult.Error(404, "parent workspace not found", detail: "parent_id");
        if (parent.IsRemoved) return ApiResult.Error(409, "parent workspace removed", detail: "parent_id");
        var ancestors = await store.AncestorsAsync(parent, ct);
        if (ancestors.Any(a => a.Id == workspace.Id)) return Cycle();
        var height = await SubtreeHeightAsync(workspace.Id, ct);
        return 1 + ancestors.Count + height > Hierarchy.MaxDepth ? ApiResult.Error(409, "hierarchy too deep", detail: "parent_id") : null;
    }

    /// <summary>Levels in the subtree rooted here (a leaf is 1).</summary>
    private async Task<int> SubtreeHeightAsync(string id, CancellationToken ct)
    {
        var height = 1;
        var level = new List<string> { id };
        while (height <= Hierarchy.MaxDepth)
        {
            var next = new List<string>();
            foreach (var node in level) next.AddRange((await store.ChildrenAsync(node, ct)).Select(c => c.Id));
            if (next.Count == 0) break;
            height++;
            level = next;
        }
        return height;
    }
}
