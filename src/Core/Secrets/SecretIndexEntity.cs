using Molecule.Core.Storage;

namespace Molecule.Core.Secrets;

/// <summary>
/// Which secret keys exist (table "secrets"): PartitionKey = workspace id or "global", RowKey = the key.
/// Values are never here — only the vault name that holds the value, and timestamps.
/// </summary>
public sealed class SecretIndexEntity : TableRow
{
    public const string GlobalPartition = "global";


    public string VaultName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string Key => RowKey;
    public bool IsGlobal => PartitionKey == GlobalPartition;
    public string Scope => IsGlobal ? "global" : "workspace";

    public static string PartitionFor(string? workspaceId) => workspaceId ?? GlobalPartition;
}
