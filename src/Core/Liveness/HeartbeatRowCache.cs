using System.Collections.Concurrent;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Liveness;

/// <summary>
/// The workspace row (with its ETag) as this instance last wrote it for a heartbeat, keyed by workspace and
/// the token that was validated then. The next heartbeat with the same token is a conditional write based
/// on it — no read. That is safe because everything that could make the heartbeat wrong changes the row
/// and so its ETag: revoking a token updates the row in the same transaction, removal tombstones it, pause
/// and PATCH rewrite it. Any such change makes the write fail with 412, and the heartbeat then reads and
/// validates as usual. Nothing is trusted from memory without the storage service confirming it.
/// </summary>
public sealed class HeartbeatRowCache
{
    private const int MaxEntries = 200_000;
    private readonly ConcurrentDictionary<string, Entry> entries = new();

    private sealed record Entry(string TokenHash, WorkspaceEntity Workspace);

    public bool TryGet(string workspaceId, string tokenHash, out WorkspaceEntity workspace)
    {
        if (entries.TryGetValue(workspaceId, out var entry) && entry.TokenHash == tokenHash)
        {
            workspace = entry.Workspace.Clone();
            return true;
        }
        workspace = null!;
        return false;
    }

    public void Put(WorkspaceEntity workspace, string tokenHash)
    {
        if (entries.Count >= MaxEntries) entries.Clear();
        entries[workspace.Id] = new Entry(tokenHash, workspace.Clone());
    }

    public void Forget(string workspaceId) => entries.TryRemove(workspaceId, out _);
}
