using Molecule.Core.Workspaces;

namespace Molecule.Core.Discovery;

/// <summary>
/// §1.6: A may address B iff A = B, they share a parent (both roots included), or one is an ancestor of the
/// other. Status is not considered here (callers check it separately).
/// </summary>
public sealed class HierarchyRule(WorkspaceStore store)
{
    public static bool Allows(WorkspaceEntity a, IReadOnlyList<WorkspaceEntity> aAncestors, WorkspaceEntity b, IReadOnlyList<WorkspaceEntity> bAncestors) =>
        a.Id == b.Id
        || a.ParentId == b.ParentId
        || aAncestors.Any(x => x.Id == b.Id)
        || bAncestors.Any(x => x.Id == a.Id);

    public async Task<bool> AllowsAsync(WorkspaceEntity a, WorkspaceEntity b, CancellationToken ct)
    {
        if (a.Id == b.Id || a.ParentId == b.ParentId) return true;
        var aAncestors = await store.AncestorsAsync(a, ct);
        if (aAncestors.Any(x => x.Id == b.Id)) return true;
        var bAncestors = await store.AncestorsAsync(b, ct);
        return bAncestors.Any(x => x.Id == a.Id);
    }
}
