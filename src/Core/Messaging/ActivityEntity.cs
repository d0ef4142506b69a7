using Molecule.Core.Storage;

namespace Molecule.Core.Messaging;

/// <summary>
/// One activity row (table "activity"): PartitionKey = workspace id, RowKey = ULID. The same partition holds
/// the id sequence row ("~seq-&lt;id&gt;") and message-id markers ("m-&lt;sha256&gt;"), which sort after every ULID
/// (lower-case and '~' come after upper-case digits), so "RowKey lt 'a'" selects activity rows only.
/// Bodies larger than a table property can hold live in blob storage and are referenced here.
/// </summary>
public sealed class ActivityEntity : TableRow
{
    public const string RowsEnd = "a";


    public string ActivityType { get; set; } = "";
    public string? SourceId { get; set; }
    public string? TargetId { get; set; }
    public string Method { get; set; } = "";
    public string Summary { get; set; } = "";
    public string Status { get; set; } = "";
    public string? ErrorDetail { get; set; }
    public long? DurationMs { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>JSON text, or null when absent or kept in a blob (then RequestBodyBlob names it).</summary>
    public string? RequestBody { get; set; }
    public string? RequestBodyBlob { get; set; }
    public string? ResponseBody { get; set; }
    public string? ResponseBodyBlob { get; set; }
    /// <summary>The data envelope of an a2a_receive row, as JSON (sender name and role when it was written).</summary>
    public string? Data { get; set; }

    public string Id => RowKey;
}

/// <summary>The per-workspace id sequence: the last ULID allocated, updated in the same transaction as each new row.</summary>
public sealed class ActivitySequenceEntity : TableRow
{

    public string LastId { get; set; } = "";

    public static string RowFor(string workspaceId) => "~seq-" + workspaceId;
}

/// <summary>Marks a message id already queued for a workspace (poll delivery is idempotent on messageId).</summary>
public sealed class MessageMarkerEntity : TableRow
{

    public string ActivityId { get; set; } = "";

    public static string RowFor(string messageId) =>
        "m-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(messageId)));
}
