using Azure;
using Azure.Data.Tables;
using Molecule.Core.Storage;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Auth;

public sealed record MintedToken(string Plaintext, TokenEntity Entity);

/// <summary>
/// Minting, revoking and validating workspace tokens. Token rows share the workspace's partition, so a
/// mint (token row + the workspace's claimed flag and live count) is one atomic, ETag-guarded batch.
/// </summary>
public sealed class Tokens(Tables tables, WorkspaceStore workspaces, TokenCache cache, TimeProvider time)
{
    public const int MaxLive = 50;
    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(5);

    public static MintedToken NewToken(string workspaceId, DateTimeOffset now)
    {
        var plaintext = TokenFormat.NewToken();
        var hash = TokenFormat.Hash(plaintext);
        return new MintedToken(plaintext, new TokenEntity
        {
            PartitionKey = workspaceId,
            RowKey = TokenEntity.RowFor(hash),
            TokenId = Guid.NewGuid().ToString("D"),
            Prefix = TokenFormat.DisplayPrefix(plaintext),
            CreatedAt = now,
        });
    }

    /// <summary>Records hash → workspace before the token row exists, so a live token is always findable by hash.</summary>
    public async Task IndexAsync(TokenEntity token, CancellationToken ct)
    {
        var index = await tables.GetAsync(Tables.TokenHashes, ct);
        await index.UpsertEntityAsync(new TokenHashEntity { PartitionKey = token.Hash, RowKey = "", WorkspaceId = token.WorkspaceId, TokenId = token.TokenId }, TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// Mints a token for an existing workspace row as read (ETag). Returns null when the row changed
    /// meanwhile (412): the caller re-reads and decides again (this is how concurrent claims have one winner).
    /// </summary>
    public async Task<MintedToken?> TryMintAsync(WorkspaceEntity workspace, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var minted = NewToken(workspace.Id, now);
        await IndexAsync(minted.Entity, ct);
        workspace.Claimed = true;
        workspace.ClaimExpiresAt = null;
        workspace.LiveTokens++;
        workspace.UpdatedAt = now;
        var table = await workspaces.TableAsync(ct);
        try
        {
            var responses = await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, workspace, workspace.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, minted.Entity),
            ], ct);
            workspace.ETag = responses.Value[0].Headers.ETag ?? workspace.ETag;
            return minted;
        }
        catch (TableTransactionFailedException e) when (e.Status is 412 or 409)
        {
            return null;
        }
    }

    public async Task<List<TokenEntity>> ListAsync(string workspaceId, CancellationToken ct)
    {
        var table = await workspaces.TableAsync(ct);
        var list = new List<TokenEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {workspaceId} and RowKey gt {TokenEntity.RowPrefix} and RowKey lt {"tok."}");
        await foreach (var t in table.QueryAsync<TokenEntity>(filter, cancellationToken: ct)) list.Add(t);
        return list;
    }

    /// <summary>Revokes one live token; false when it is unknown, already revoked, or belongs to another workspace.</summary>
    public async Task<bool> RevokeAsync(string workspaceId, string tokenId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var token = (await ListAsync(workspaceId, ct)).FirstOrDefault(t => t.TokenId == tokenId && t.RevokedAt is null);
            var workspace = await workspaces.GetAsync(workspaceId, ct);
            if (token is null || workspace is null) return false;
            var now = time.GetUtcNow();
            token.RevokedAt = now;
            workspace.LiveTokens = Math.Max(0, workspace.LiveTokens - 1);
            workspace.UpdatedAt = now;
            var table = await workspaces.TableAsync(ct);
            try
            {
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, workspace, workspace.ETag),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, token, token.ETag),
                ], ct);
                cache.Forget(token.Hash);
                return true;
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 409) { }
        }
        throw new InvalidOperationException("token revocation kept conflicting");
    }

    /// <summary>
    /// Batch actions that revoke every live token of a removed workspace (in its tombstone transaction).
    /// </summary>
    public async Task<List<TableTransactionAction>> RevokeAllActionsAsync(string workspaceId, DateTimeOffset now, CancellationToken ct)
    {
        var actions = new List<TableTransactionAction>();
        foreach (var token in await ListAsync(workspaceId, ct))
        {
            if (token.RevokedAt is not null) continue;
            token.RevokedAt = now;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, token, token.ETag));
        }
        cache.ForgetWorkspace(workspaceId);
        return actions;
    }

    /// <summary>
    /// The workspace row and the presented token's row, using the validated-token cache when it can
    /// (then only the workspace is read). Either way: one storage operation.
    /// </summary>
    public async Task<(WorkspaceEntity? Workspace, TokenEntity? Token)> LoadAsync(string workspaceId, string tokenHash, CancellationToken ct)
    {
        if (cache.Get(tokenHash) is { } cached && cached.WorkspaceId == workspaceId)
        {
            var workspace = await workspaces.GetAsync(workspaceId, ct);
            return (workspace, new TokenEntity
            {
                PartitionKey = workspaceId, RowKey = TokenEntity.RowFor(tokenHash), TokenId = cached.TokenId, LastUsedAt = cached.LastUsedAt,
                ETag = ETag.All,
            });
        }
        var loaded = await workspaces.GetWithTokenAsync(workspaceId, tokenHash, ct);
        if (loaded.Token is { RevokedAt: null } token && loaded.Workspace is { IsRemoved: false }) cache.Put(token);
        return loaded;
    }

    public Task<WorkspaceEntity?> LoadWorkspaceAsync(string workspaceId, CancellationToken ct) => workspaces.GetAsync(workspaceId, ct);

    /// <summary>Refreshes last_used_at at most once per 5 minutes per token (§1.2).</summary>
    public async Task TouchAsync(TokenEntity token, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (token.LastUsedAt is { } last && now - last < LastUsedGranularity) return;
        var table = await workspaces.TableAsync(ct);
        var patch = new TableEntity(token.PartitionKey, token.RowKey) { [nameof(TokenEntity.LastUsedAt)] = now };
        try
        {
            await table.UpdateEntityAsync(patch, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404) { return; }
        token.LastUsedAt = now;
        cache.Put(token);
    }

    /// <summary>
    /// Writes a workspace row read with its ETag and, when due, the token's last_used_at in the same
    /// partition transaction — so a heartbeat stays one write. False on 412 (the caller re-reads).
    /// </summary>
    public async Task<bool> TryWriteWithTouchAsync(WorkspaceEntity workspace, TokenEntity? token, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (token is null || token.LastUsedAt is { } last && now - last < LastUsedGranularity)
            return await workspaces.TryReplaceAsync(workspace, ct);
        var table = await workspaces.TableAsync(ct);
        var patch = new TableEntity(token.PartitionKey, token.RowKey) { [nameof(TokenEntity.LastUsedAt)] = now };
        try
        {
            var responses = await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, workspace, workspace.ETag),
                new TableTransactionAction(TableTransactionActionType.UpdateMerge, patch, ETag.All),
            ], ct);
            workspace.ETag = responses.Value[0].Headers.ETag ?? workspace.ETag;
        }
        catch (TableTransactionFailedException e) when (e.Status is 412 or 409) { return false; }
        token.LastUsedAt = now;
        cache.Put(token);
        return true;
    }

    public static bool IsLive(TokenEntity? token, WorkspaceEntity? workspace) =>
        token is { RevokedAt: null } && workspace is { IsRemoved: false };
}
