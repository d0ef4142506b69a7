using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Molecule.Core.Api;
using Molecule.Core.Auth;
using Molecule.Core.Events;
using Molecule.Core.Network;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Liveness;

/// <summary>
/// What agents call to join and stay alive (contract §3.5, §3.3.9): register, heartbeat, update-card, state.
/// The registry routes read the body first (it names the workspace), then authenticate against it.
/// </summary>
public sealed class RegistryService(
    WorkspaceStore store,
    Tokens tokens,
    EventPublisher events,
    AgentUrlPolicy urls,
    HeartbeatRowCache rows,
    IOptions<PlatformOptions> platformOptions,
    IOptions<LivenessOptions> livenessOptions,
    TimeProvider time)
{
    public const int MaxCardBytes = 32 * 1024;
    private const int MaxAttempts = 20;
    private readonly PlatformOptions platform = platformOptions.Value;
    private readonly LivenessOptions liveness = livenessOptions.Value;
    private TimeSpan OfflineAfter => TimeSpan.FromSeconds(liveness.OfflineAfterSeconds);

    private string Derived(WorkspaceEntity w) => Status.Derive(w.Status, w.LastHeartbeatAt, time.GetUtcNow(), OfflineAfter);

    public async Task<ApiResult> RegisterAsync(ApiRequest call)
    {
        var f = call.Fields;
        var id = f.WorkspaceId("id", required: true);
        var url = f.String("url", required: true);
        var kind = AgentUrlKind.Remote;
        if (url is not null && AgentUrlPolicy.CheckSyntax(url, out kind) is { } urlError) f.Fail(urlError);
        var card = f.Object("agent_card", MaxCardBytes, required: true);
        var mode = DeliveryMode(f, kind);
        if (f.Error is { } invalid) return invalid;

        var ct = call.Aborted;
        var bearer = call.Bearer;
        var addressChecked = false;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (workspace, standing) = bearer.Kind == CredentialKind.WorkspaceToken
                ? await tokens.LoadAsync(id!, bearer.TokenHash!, ct)
                : (await store.GetAsync(id!, ct), TokenStanding.Unknown);
            if (workspace is null) return Errors.WorkspaceNotFound();
            if (workspace.IsRemoved) return Errors.WorkspaceRemovedShort();

            if (bearer.IsPresent && standing != TokenStanding.Live) return Errors.InvalidWorkspaceToken();
            if (call.RateLimit(bearer.IsPresent ? bearer.TokenHash : null) is { } tooMany) return tooMany;
            if (!bearer.IsPresent)
            {
                if (workspace.Claimed) return ApiResult.Ok(new JsonObject { ["status"] = "registered" });
                if (workspace.ClaimExpiresAt is not { } expires || expires <= time.GetUtcNow())
                    return ApiResult.Error(403, "claim window closed; ask an administrator for a token", "claim_window_closed");
            }

            if (!addressChecked && kind == AgentUrlKind.Dialable)
            {
                if (!await urls.IsRoutableAsync(url!, platform.AllowPrivateAgentUrls, ct)) return Errors.InvalidBody(AgentUrlPolicy.AddressError);
                addressChecked = true;
            }

            var change = ApplyRegistration(workspace, url!, card!.Value.Utf8, mode);
            string? minted = null;
            if (bearer.IsPresent)
            {
                if (!await tokens.TryWriteWithTouchAsync(workspace, bearer.TokenHash!, ct)) continue;
            }
            else
            {
                if (await tokens.TryMintAsync(workspace, ct) is not { } token0) continue; // lost the claim race: re-read → no-op
                minted = token0.Plaintext;
            }

            await PublishRegistrationAsync(workspace, change, ct);
            var body = new JsonObject { ["status"] = "registered" };
            if (minted is not null) body["auth_token"] = minted;
            body["workspace_id"] = workspace.Id;
            body["delivery_mode"] = workspace.EffectiveDeliveryMode;
            body["heartbeat_interval_seconds"] = liveness.HeartbeatIntervalSeconds;
            body["offline_after_seconds"] = liveness.OfflineAfterSeconds;
            return ApiResult.Ok(body);
        }
        throw new InvalidOperationException("register kept conflicting");
    }

    private static string? DeliveryMode(BodyReader f, AgentUrlKind kind)
    {
        var mode = f.String("delivery_mode");
        if (mode is not null and not ("push" or "poll")) f.Fail("delivery_mode: must be push or poll");
        else if (mode == "push" && kind == AgentUrlKind.Remote) f.Fail("delivery_mode: push requires an http or https url");
        return mode;
    }

    private sealed record RegistrationChange(string PreviousStatus, string? Event, bool CardChanged);

    private RegistrationChange ApplyRegistration(WorkspaceEntity workspace, string url, byte[] card, string? mode)
    {
        var now = time.GetUtcNow();
        var previous = Derived(workspace);
        var outcome = Transitions.Register(previous);
        var cardChanged = workspace.AgentCard is null || !workspace.AgentCard.AsSpan().SequenceEqual(card);
        workspace.Url = url;
        workspace.AgentCard = card;
        if (mode is not null) workspace.PinnedDeliveryMode = mode;
        workspace.LastHeartbeatAt = now;
        workspace.Status = outcome.Status;
        workspace.UpdatedAt = now;
        return new RegistrationChange(previous, outcome.Event, cardChanged);
    }

    private async Task PublishRegistrationAsync(WorkspaceEntity workspace, RegistrationChange change, CancellationToken ct)
    {
        if (change.Event is not null)
        {
            var payload = new JsonObject { ["previous_status"] = change.PreviousStatus };
            if (AgentUrlPolicy.IsDialable(workspace.Url)) payload["url"] = workspace.Url;
            payload["agent_card"] = WorkspaceView.Card(workspace.AgentCard);
            await events.PublishAsync(change.Event, workspace.Id, payload, ct);
        }
        if (change.CardChanged)
            await events.PublishAsync(EventNames.AgentCardUpdated, workspace.Id, new JsonObject { ["agent_card"] = WorkspaceView.Card(workspace.AgentCard) }, ct);
    }

    public async Task<ApiResult> HeartbeatAsync(ApiRequest call)
    {
        var f = call.Fields;
        var id = f.WorkspaceId("workspace_id", required: true);
        var currentTask = f.String("current_task", maxBytes: 4096) ?? "";
        var activeTasks = (int)(f.Integer("active_tasks", 0, 10_000) ?? 0);
        var errorRate = f.Number("error_rate", 0, 1) ?? 0;
        var sampleError = f.String("sample_error", maxBytes: 4096) ?? "";
        var uptime = f.Integer("uptime_seconds", 0, long.MaxValue, reason: "must be an integer ≥ 0") ?? 0;
        var runtimeState = f.String("runtime_state") ?? "";
        if (runtimeState is not ("" or "wedged")) f.Fail("runtime_state: must be \"\" or \"wedged\"");
        if (f.Error is { } invalid) return invalid;

        var ct = call.Aborted;
        var report = new HeartbeatReport(currentTask, activeTasks, errorRate, sampleError, uptime, runtimeState);
        // Steady state: a conditional write on the row this instance wrote last time (see HeartbeatRowCache).
        var hash = call.Bearer.TokenHash;
        if (call.Bearer.Kind == CredentialKind.WorkspaceToken && rows.TryGet(id!, hash!, out var known))
        {
            if (call.RateLimit(hash) is { } tooMany) return tooMany;
            if (await TryApplyHeartbeatAsync(known, hash!, report, ct) is { } done) return done;
            rows.Forget(id!);
        }
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (workspace, refused) = await AuthenticateAgentAsync(call, id!);
            if (refused is not null) return refused;
            if (await TryApplyHeartbeatAsync(workspace!, hash!, report, ct) is { } done) return done;
        }
        throw new InvalidOperationException("heartbeat kept conflicting");
    }

    private sealed record HeartbeatReport(string CurrentTask, int ActiveTasks, double ErrorRate, string SampleError, long Uptime, string RuntimeState);

    /// <summary>Applies §2.3 to the row as read and writes it conditionally; null when the row changed meanwhile.</summary>
    private async Task<ApiResult?> TryApplyHeartbeatAsync(WorkspaceEntity workspace, string tokenHash, HeartbeatReport report, CancellationToken ct)
    {
        var previous = Derived(workspace);
        var outcome = Transitions.Heartbeat(previous, report.ErrorRate, report.RuntimeState == "wedged");
        var taskChanged = report.CurrentTask != workspace.CurrentTask;
        var now = time.GetUtcNow();
        workspace.CurrentTask = report.CurrentTask;
        workspace.ActiveTasks = report.ActiveTasks;
        workspace.LastErrorRate = report.ErrorRate;
        workspace.LastSampleError = report.SampleError;
        workspace.UptimeSeconds = report.Uptime;
        workspace.RuntimeState = report.RuntimeState;
        workspace.LastHeartbeatAt = now;
        workspace.Status = outcome.Status;
        workspace.UpdatedAt = now;
        if (!await tokens.TryWriteWithTouchAsync(workspace, tokenHash, ct)) return null;
        rows.Put(workspace, tokenHash);

        if (outcome.Event == EventNames.WorkspaceOnline)
            await events.PublishAsync(outcome.Event, workspace.Id, new JsonObject { ["previous_status"] = previous }, ct);
        else if (outcome.Event == EventNames.WorkspaceDegraded)
            await events.PublishAsync(outcome.Event, workspace.Id, new JsonObject
            {
                ["error_rate"] = report.ErrorRate, ["sample_error"] = report.SampleError, ["runtime_state"] = report.RuntimeState,
            }, ct);
        if (taskChanged)
            await events.PublishAsync(EventNames.TaskUpdated, workspace.Id, new JsonObject
            {
                ["current_task"] = report.CurrentTask, ["active_tasks"] = report.ActiveTasks,
            }, ct);
        return ApiResult.Ok(new JsonObject
        {
            ["status"] = "ok", ["workspace_status"] = outcome.Status, ["paused"] = outcome.Status == Status.Paused,
        });
    }

    public async Task<ApiResult> UpdateCardAsync(ApiRequest call)
    {
        var f = call.Fields;
        var id = f.WorkspaceId("workspace_id", required: true);
        var card = f.Object("agent_card", MaxCardBytes, required: true);
        if (f.Error is { } invalid) return invalid;

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (workspace, refused) = await AuthenticateAgentAsync(call, id!);
            if (refused is not null) return refused;
            var changed = workspace!.AgentCard is null || !workspace.AgentCard.AsSpan().SequenceEqual(card!.Value.Utf8);
            if (changed)
            {
                workspace.AgentCard = card!.Value.Utf8;
                workspace.UpdatedAt = time.GetUtcNow();
                if (!await tokens.TryWriteWithTouchAsync(workspace, call.Bearer.TokenHash!, call.Aborted)) continue;
                await events.PublishAsync(EventNames.AgentCardUpdated, workspace.Id,
                    new JsonObject { ["agent_card"] = WorkspaceView.Card(workspace.AgentCard) }, call.Aborted);
            }
            else
            {
                await tokens.TouchAsync(workspace, call.Bearer.TokenHash!, call.Aborted);
            }
            return ApiResult.Ok(new JsonObject { ["status"] = "updated" });
        }
        throw new InvalidOperationException("update-card kept conflicting");
    }

    /// <summary>Heartbeat and update-card auth (§3.5.3): missing → 401; not issued to it → 401; removed → 410; revoked → 401.</summary>
    private async Task<(WorkspaceEntity?, ApiResult?)> AuthenticateAgentAsync(ApiRequest call, string id)
    {
        var bearer = call.Bearer;
        if (!bearer.IsPresent) return (null, Errors.MissingWorkspaceToken());
        if (bearer.Kind != CredentialKind.WorkspaceToken) return (null, Errors.InvalidWorkspaceToken());
        var (workspace, standing) = await tokens.LoadAsync(id, bearer.TokenHash!, call.Aborted);
        if (standing == TokenStanding.Unknown) return (null, Errors.InvalidWorkspaceToken());
        if (workspace!.IsRemoved) return (null, Errors.WorkspaceRemovedShort());
        if (standing != TokenStanding.Live) return (null, Errors.InvalidWorkspaceToken());
        if (call.RateLimit(bearer.TokenHash) is { } tooMany) return (null, tooMany);
        return (workspace, null);
    }

    /// <summary>GET /workspaces/:id/state — the SDK's state poll (§3.3.9).</summary>
    public async Task<ApiResult> StateAsync(ApiRequest call, string id)
    {
        var bearer = call.Bearer;
        var ct = call.Aborted;
        if (!bearer.IsPresent) return Errors.MissingWorkspaceToken();
        WorkspaceEntity? workspace;
        if (bearer.IsAdmin)
        {
            workspace = await store.GetAsync(id, ct);
            if (workspace is null) return Errors.WorkspaceNotFound();
        }
        else if (bearer.Kind == CredentialKind.WorkspaceToken)
        {
            (workspace, var standing) = await tokens.LoadAsync(id, bearer.TokenHash!, ct);
            if (standing == TokenStanding.Unknown) return Errors.InvalidWorkspaceToken();
            if (!workspace!.IsRemoved)
            {
                if (standing != TokenStanding.Live) return Errors.InvalidWorkspaceToken();
                await tokens.TouchAsync(workspace, bearer.TokenHash!, ct);
            }
        }
        else return Errors.InvalidWorkspaceToken();

        if (call.RateLimit(bearer.TokenHash) is { } tooMany) return tooMany;
        if (workspace.IsRemoved)
            return ApiResult.Json(404, new JsonObject { ["workspace_id"] = id, ["status"] = Status.Removed, ["deleted"] = true });
        var status = Derived(workspace);
        return ApiResult.Ok(new JsonObject
        {
            ["workspace_id"] = id,
            ["status"] = status,
            ["paused"] = status == Status.Paused,
            ["deleted"] = false,
            ["last_heartbeat_at"] = workspace.LastHeartbeatAt is { } at ? ApiJson.Timestamp(at) : null,
        });
    }
}
