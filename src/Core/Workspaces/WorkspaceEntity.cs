using Azure;
using Azure.Data.Tables;

namespace Molecule.Core.Workspaces;

/// <summary>
/// The workspace row: table "workspaces", PartitionKey = workspace id, RowKey = "ws". Its tokens live in
/// the same partition (see Auth/TokenEntity), so a request that names a workspace validates its token and
/// reads the workspace in one storage operation.
/// </summary>
public sealed class WorkspaceEntity : ITableEntity
{
    public const string Row = "ws";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Id => PartitionKey;
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public int Tier { get; set; } = 1;
    public string Runtime { get; set; } = "external";
    public string Status { get; set; } = Liveness.Status.AwaitingAgent;
    /// <summary>"push", "poll", or null when the mode follows the url (§3.2).</summary>
    public string? PinnedDeliveryMode { get; set; }
    public string Url { get; set; } = "";
    public string? ParentId { get; set; }
    /// <summary>The agent card as the agent sent it, UTF-8 JSON (binary: a 32 KiB card can exceed a string property).</summary>
    public byte[]? AgentCard { get; set; }
    public bool Claimed { get; set; }
    public DateTimeOffset? ClaimExpiresAt { get; set; }
    public int LiveTokens { get; set; }
    public int ActiveTasks { get; set; }
    public string CurrentTask { get; set; } = "";
    public double LastErrorRate { get; set; }
    public string LastSampleError { get; set; } = "";
    public string RuntimeState { get; set; } = "";
    public long UptimeSeconds { get; set; }
    public DateTimeOffset? LastHeartbeatAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }

    public bool IsRemoved => Status == Liveness.Status.Removed;

    /// <summary>A shallow copy (byte arrays are replaced, never mutated, so sharing them is safe).</summary>
    public WorkspaceEntity Clone() => (WorkspaceEntity)MemberwiseClone();

    public string EffectiveDeliveryMode =>
        PinnedDeliveryMode == "poll" ? "poll"
        : Network.AgentUrlPolicy.IsDialable(Url) ? "push"
        : "poll";
}
