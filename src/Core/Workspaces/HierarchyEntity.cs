using Molecule.Core.Storage;

namespace Molecule.Core.Workspaces;

/// <summary>
/// The tree index (table "hierarchy"): PartitionKey = parent id or "root", RowKey = child id, so children
/// and siblings are partition queries. The workspace row's ParentId is the truth; readers skip index rows
/// that disagree with it (a move writes the new row before the workspace and deletes the old one after).
/// </summary>
public sealed class HierarchyEntity : TableRow
{
    public const string RootPartition = "root";


    public static string PartitionFor(string? parentId) => parentId ?? RootPartition;
}
