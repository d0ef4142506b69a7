using Azure;
using Azure.Data.Tables;
using Molecule.Core.Auth;
using Molecule.Core.Storage;

namespace Molecule.Core.Workspaces;

/// <summary>Data access for workspace partitions and the hierarchy index. Point reads and partition queries only, except the admin list.</summary>
public sealed class WorkspaceStore(Tables tables)
{
    public Task<TableClient> TableAsync(CancellationToken ct) => tables.GetAsync(Tables.Workspaces, ct);

    public async Task<WorkspaceEntity?> GetAsync(string id, CancellationToken ct) =>
        await Tables.ReadAsync<WorkspaceEntity>(await TableAsync(ct), id, id, ct);

    /// <summary>Every workspace row (admin listing and the liveness sweep; never on an agent's hot path).</summary>
    public async Task<List<WorkspaceEntity>> ListAsync(CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var list = new List<WorkspaceEntity>();
        await foreach (var w in table.QueryAsync<WorkspaceEntity>(TableClient.CreateQueryFilter($"Kind eq {WorkspaceEntity.KindValue}"), cancellationToken: ct))
            list.Add(w);
        return list;
    }

    /// <summary>Children whose row still names this parent (index rows left by an interrupted move are skipped).</summary>
    public async Task<List<WorkspaceEntity>> ChildrenAsync(string? parentId, CancellationToken ct)
    {
        var index = await tables.GetAsync(Tables.Hierarchy, ct);
        var ids = new List<string>();
        await foreach (var row in index.QueryAsync<HierarchyEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {HierarchyEntity.PartitionFor(parentId)}"), select: ["RowKey"], cancellationToken: ct))
            ids.Add(row.RowKey);
        var children = await Task.WhenAll(ids.Select(id => GetAsync(id, ct)));
        return children.Where(c => c is not null && c.ParentId == parentId).Select(c => c!).OrderBy(c => c.CreatedAt).ToList();
    }

    /// <summary>Depth-first descendants (excluding the workspace itself), parents before children.</summary>
    public async Task<List<WorkspaceEntity>> DescendantsAsync(string id, CancellationToken ct)
    {
        var result = new List<WorkspaceEntity>();
        var frontier = new Queue<string>([id]);
        var seen = new HashSet<string> { id };
        while (frontier.Count > 0)
        {
            foreach (var child in await ChildrenAsync(frontier.Dequeue(), ct))
            {
                if (!seen.Add(child.Id)) continue;
                result.Add(child);
                frontier.Enqueue(child.Id);
            }
        }
        return result;
    }

    public async Task AddToHierarchyAsync(string childId, string? parentId, CancellationToken ct)
    {
        var index = await tables.GetAsync(Tables.Hierarchy, ct);
        await index.UpsertEntityAsync(new HierarchyEntity { PartitionKey = HierarchyEntity.PartitionFor(parentId), RowKey = childId }, TableUpdateMode.Replace, ct);
    }

    public async Task RemoveFromHierarchyAsync(string childId, string? parentId, CancellationToken ct)
    {
        var index = await tables.GetAsync(Tables.Hierarchy, ct);
        await index.DeleteEntityAsync(HierarchyEntity.PartitionFor(parentId), childId, ETag.All, ct);
    }

    /// <summary>Replaces the row if it is unchanged since it was read. False on 412 (the caller re-reads).</summary>
    public async Task<bool> TryReplaceAsync(WorkspaceEntity workspace, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        try
        {
            var response = await table.UpdateEntityAsync(workspace, workspace.ETag, TableUpdateMode.Replace, ct);
            workspace.ETag = response.Headers.ETag ?? workspace.ETag;
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Runs a read-modify-write until it lands without a conflicting write in between.</summary>
    public async Task<T> UpdateAsync<T>(string id, Func<WorkspaceEntity?, T> decide, Func<T, WorkspaceEntity?> toWrite, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetAsync(id, ct);
            var decision = decide(current);
            var write = toWrite(decision);
            if (write is null || await TryReplaceAsync(write, ct)) return decision;
            if (attempt >= 20) throw new InvalidOperationException("workspace update kept conflicting");
        }
    }

    /// <summary>Ancestors from the parent upwards (at most the depth limit).</summary>
    public async Task<List<WorkspaceEntity>> AncestorsAsync(WorkspaceEntity workspace, CancellationToken ct)
    {
        var chain = new List<WorkspaceEntity>();
        var next = workspace.ParentId;
        while (next is not null && chain.Count <= Hierarchy.MaxDepth)
        {
            var parent = await GetAsync(next, ct);
            if (parent is null) break;
            chain.Add(parent);
            next = parent.ParentId;
        }
        return chain;
    }
}

public static class Hierarchy
{
    public const int MaxDepth = 32;
}
