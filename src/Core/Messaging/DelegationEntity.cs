using Molecule.Core.Storage;

namespace Molecule.Core.Messaging;

/// <summary>A delegation (table "delegations"): PartitionKey = source workspace, RowKey = delegation id.</summary>
public sealed class DelegationEntity : TableRow
{

    public string TargetId { get; set; } = "";
    public string Task { get; set; } = "";
    public string TaskPreview { get; set; } = "";
    public string Status { get; set; } = "";
    public string? IdempotencyKey { get; set; }
    public string? ResponsePreview { get; set; }
    public string? Error { get; set; }
    /// <summary>The source's "delegation" activity row that tracks this delegation.</summary>
    public string? ActivityId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string SourceId => PartitionKey;
    public string Id => RowKey;
}

/// <summary>(source, idempotency key) → delegation id, in the source's partition ("k-" + SHA-256 of the key).</summary>
public sealed class DelegationKeyEntity : TableRow
{

    public string DelegationId { get; set; } = "";

    public static string RowFor(string key) =>
        "k-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
}
