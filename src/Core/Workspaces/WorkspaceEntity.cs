using Azure;
using Azure.Data.Tables;

namespace Molecule.Core.Workspaces;

/// <summary>
/// The workspace row: table "workspaces", PartitionKey = RowKey = workspace id (a unique RowKey also keeps
/// Azurite's point reads indexed). Its token rows live in the same partition (Auth/TokenEntity), and the
/// row itself carries the hashes of its live tokens, so validating a token and reading the workspace is
/// one point read, and revoking or minting changes the row (and its ETag) in the same transaction.
/// </summary>
public sealed class WorkspaceEntity : ITableEntity
{
    public const string KindValue = "workspace";

    private string partitionKey = "";

    public string PartitionKey
    {
        get => partitionKey;
        set { partitionKey = value; RowKey = value; }
    }
    public string RowKey { get; set; } = "";
    public string Kind { get; set; } = KindValue;
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
    /// <summary>Live tokens of this workspace: "&lt;sha256 hex&gt;:&lt;last use, unix seconds&gt;" separated by spaces.</summary>
    public string LiveTokens { get; set; } = "";
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

    public int LiveTokenCount => LiveTokens.Length == 0 ? 0 : LiveTokens.Count(c => c == ' ') + 1;

    public bool HasLiveToken(string hash) => LastUse(hash) is not null;

    /// <summary>When a live token was last recorded as used (0 = never); null when it is not live here.</summary>
    public long? LastUse(string hash)
    {
        foreach (var entry in LiveTokens.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (entry.Length > 65 && entry.AsSpan(0, 64).SequenceEqual(hash) && entry[64] == ':')
                return long.Parse(entry.AsSpan(65));
        return null;
    }

    public void SetLiveToken(string hash, long lastUse) =>
        LiveTokens = string.Join(' ', LiveTokens.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(e => !e.StartsWith(hash, StringComparison.Ordinal)).Append($"{hash}:{lastUse}"));

    public void RemoveLiveToken(string hash) =>
        LiveTokens = string.Join(' ', LiveTokens.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(e => !e.StartsWith(hash, StringComparison.Ordinal)));

    /// <summary>A shallow copy (byte arrays are replaced, never mutated, so sharing them is safe).</summary>
    public WorkspaceEntity Clone() => (WorkspaceEntity)MemberwiseClone();

    public string EffectiveDeliveryMode =>
        PinnedDeliveryMode == "poll" ? "poll"
        : Network.AgentUrlPolicy.IsDialable(Url) ? "push"
        : "poll";
}
