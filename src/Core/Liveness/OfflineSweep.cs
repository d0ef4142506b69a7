using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Molecule.Core.Api;
using Molecule.Core.Events;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Liveness;

/// <summary>
/// The timer sweep (§2.4): writes offline, with an ETag-conditional update, for online/degraded workspaces
/// whose last heartbeat is older than the threshold, and publishes each transition once. A heartbeat that
/// lands between the read and the write makes the write fail (412); the row is re-read and re-judged.
/// </summary>
public sealed class OfflineSweep(WorkspaceStore store, EventPublisher events, IOptions<LivenessOptions> options, TimeProvider time)
{
    private TimeSpan OfflineAfter => TimeSpan.FromSeconds(options.Value.OfflineAfterSeconds);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var count = 0;
        foreach (var workspace in await ListStaleAsync(ct))
            if (await TryMarkOfflineAsync(workspace, ct)) count++;
        return count;
    }

    /// <summary>Online/degraded rows whose last heartbeat is past the threshold (filtered by the service).</summary>
    public async Task<List<WorkspaceEntity>> ListStaleAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - OfflineAfter;
        var table = await store.TableAsync(ct);
        var filter = TableClient.CreateQueryFilter(
            $"Kind eq {WorkspaceEntity.KindValue} and (Status eq {Status.Online} or Status eq {Status.Degraded}) and LastHeartbeatAt lt {cutoff}");
        var list = new List<WorkspaceEntity>();
        await foreach (var w in table.QueryAsync<WorkspaceEntity>(filter, cancellationToken: ct)) list.Add(w);
        return list;
    }

    /// <summary>Marks one row offline if it still qualifies; false when a newer write (a heartbeat) won.</summary>
    public async Task<bool> TryMarkOfflineAsync(WorkspaceEntity workspace, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var now = time.GetUtcNow();
            if (!Transitions.SweepsOffline(workspace.Status, workspace.LastHeartbeatAt, now, OfflineAfter)) return false;
            workspace.Status = Status.Offline;
            workspace.UpdatedAt = now;
            if (await store.TryReplaceAsync(workspace, ct))
            {
                await events.PublishAsync(EventNames.WorkspaceOffline, workspace.Id, new JsonObject
                {
                    ["last_heartbeat_at"] = workspace.LastHeartbeatAt is { } at ? ApiJson.Timestamp(at) : null,
                }, ct);
                return true;
            }
            var reread = await store.GetAsync(workspace.Id, ct);
            if (reread is null) return false;
            workspace = reread;
        }
        return false;
    }
}
