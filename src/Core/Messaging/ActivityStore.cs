using Azure;
using Azure.Data.Tables;
using Molecule.Core.Storage;

namespace Molecule.Core.Messaging;

/// <summary>
/// Appends and reads activity rows. Ids come from the workspace's sequence row, updated in the same
/// partition transaction as the new row (ETag-guarded), so within a workspace ids strictly increase in
/// commit order: a row that becomes visible later never sorts before one a reader has already seen.
/// </summary>
public sealed class ActivityStore(Tables tables, Blobs blobs, TimeProvider time)
{
    /// <summary>Bodies longer than this many characters go to blob storage (a table string holds 32 K characters).</summary>
    public const int InlineBodyLimit = 30_000;

    public Task<TableClient> TableAsync(CancellationToken ct) => tables.GetAsync(Tables.Activity, ct);

    /// <summary>
    /// Appends a row. With a message id, a second append of the same id returns the first row's id and
    /// writes nothing (Existing = true).
    /// </summary>
    public async Task<(string Id, bool Existing)> AppendAsync(ActivityEntity row, string? messageId, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var workspaceId = row.PartitionKey;
        await MoveLargeBodiesAsync(row, ct);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var sequence = await Tables.ReadAsync<ActivitySequenceEntity>(table, workspaceId, ActivitySequenceEntity.RowFor(workspaceId), ct);
            var now = time.GetUtcNow();
            var id = Ulid.Next(now, sequence?.LastId);
            row.RowKey = id;
            row.CreatedAt = now;
            var actions = new List<TableTransactionAction>();
            if (sequence is null)
                actions.Add(new(TableTransactionActionType.Add, new ActivitySequenceEntity { PartitionKey = workspaceId, RowKey = ActivitySequenceEntity.RowFor(workspaceId), LastId = id }));
            else
            {
                sequence.LastId = id;
                actions.Add(new(TableTransactionActionType.UpdateReplace, sequence, sequence.ETag));
            }
            actions.Add(new(TableTransactionActionType.Add, row));
            if (messageId is not null)
                actions.Add(new(TableTransactionActionType.Add, new MessageMarkerEntity { PartitionKey = workspaceId, RowKey = MessageMarkerEntity.RowFor(messageId), ActivityId = id }));
            try
            {
                await table.SubmitTransactionAsync(actions, ct);
                return (id, false);
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
                if (messageId is not null
                    && await Tables.ReadAsync<MessageMarkerEntity>(table, workspaceId, MessageMarkerEntity.RowFor(messageId), ct) is { } marker)
                    return (marker.ActivityId, true);
            }
        }
        throw new InvalidOperationException("activity append kept conflicting");
    }

    public async Task<ActivityEntity?> GetAsync(string workspaceId, string id, CancellationToken ct) =>
        await Tables.ReadAsync<ActivityEntity>(await TableAsync(ct), workspaceId, id, ct);

    /// <summary>Rows of one workspace in id order, from <paramref name="fromId"/> (inclusive) when given, with an extra server-side filter.</summary>
    public async IAsyncEnumerable<ActivityEntity> ScanAsync(string workspaceId, string? fromId, string? extraFilter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {workspaceId} and RowKey lt {ActivityEntity.RowsEnd}");
        if (fromId is not null) filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {fromId}");
        if (extraFilter is not null) filter += $" and ({extraFilter})";
        await foreach (var row in table.QueryAsync<ActivityEntity>(filter, maxPerPage: 1000, cancellationToken: ct)) yield return row;
    }

    /// <summary>Loads a row's blob-held bodies back into it.</summary>
    public async Task LoadBodiesAsync(ActivityEntity row, CancellationToken ct)
    {
        if (row.RequestBodyBlob is { } request) row.RequestBody = await blobs.ReadAsync(Blobs.ActivityBodies, request, ct);
        if (row.ResponseBodyBlob is { } response) row.ResponseBody = await blobs.ReadAsync(Blobs.ActivityBodies, response, ct);
    }

    public async Task DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var filter = TableClient.CreateQueryFilter($"RowKey lt {ActivityEntity.RowsEnd} and CreatedAt lt {cutoff}");
        await foreach (var row in table.QueryAsync<ActivityEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            try { await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct); }
            catch (RequestFailedException e) when (e.Status == 404) { }
        }
    }

    private async Task MoveLargeBodiesAsync(ActivityEntity row, CancellationToken ct)
    {
        var stem = $"{row.PartitionKey}/{Guid.NewGuid():N}";
        if (row.RequestBody is { Length: > InlineBodyLimit } request)
        {
            await blobs.WriteAsync(Blobs.ActivityBodies, stem + "-request.json", request, ct);
            (row.RequestBody, row.RequestBodyBlob) = (null, stem + "-request.json");
        }
        if (row.ResponseBody is { Length: > InlineBodyLimit } response)
        {
            await blobs.WriteAsync(Blobs.ActivityBodies, stem + "-response.json", response, ct);
            (row.ResponseBody, row.ResponseBodyBlob) = (null, stem + "-response.json");
        }
    }
}
