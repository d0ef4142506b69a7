using System.Text.Json.Nodes;
using Molecule.Core.Liveness;

namespace Molecule.Core.Workspaces;

/// <summary>The workspace object of contract §3.2 (admin or own token).</summary>
public sealed record WorkspaceView(
    string Id,
    string Name,
    string Role,
    int Tier,
    string Runtime,
    string Status,
    string DeliveryMode,
    bool DeliveryModePinned,
    string Url,
    string? ParentId,
    JsonNode? AgentCard,
    bool Claimed,
    DateTimeOffset? ClaimExpiresAt,
    int ActiveTasks,
    string CurrentTask,
    double LastErrorRate,
    string LastSampleError,
    long UptimeSeconds,
    DateTimeOffset? LastHeartbeatAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? RemovedAt)
{
    public static WorkspaceView From(WorkspaceEntity w, DateTimeOffset now, TimeSpan offlineAfter) => new(
        w.Id, w.Name, w.Role, w.Tier, w.Runtime,
        Liveness.Status.Derive(w.Status, w.LastHeartbeatAt, now, offlineAfter),
        w.EffectiveDeliveryMode, w.PinnedDeliveryMode is not null, w.Url, w.ParentId,
        Card(w.AgentCard), w.Claimed, w.Claimed ? null : w.ClaimExpiresAt,
        w.ActiveTasks, w.CurrentTask, w.LastErrorRate, w.LastSampleError, w.UptimeSeconds,
        w.LastHeartbeatAt, w.CreatedAt, w.UpdatedAt, w.RemovedAt);

    public static JsonNode? Card(byte[]? utf8) => utf8 is null ? null : JsonNode.Parse(utf8);
}

/// <summary>Create's response: the workspace object plus <c>connect</c> (§3.3.1).</summary>
public sealed record CreatedWorkspaceView(WorkspaceView Workspace, ConnectInfo Connect);

public sealed record ConnectInfo(
    string PlatformUrl,
    string WorkspaceId,
    DateTimeOffset? ClaimExpiresAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? AuthToken,
    string PythonSnippet,
    string CurlSnippet);
