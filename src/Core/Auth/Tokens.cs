using Azure;
using Azure.Data.Tables;
using Molecule.Core.Storage;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Auth;

public sealed record MintedToken(string Plaintext, TokenEntity Entity);

/// <summary>How a presented token relates to the workspace it is used for.</summary>
public enum TokenStanding
{
    /// <summary>Never issued to this workspace (or no such workspace).</summary>
    Unknown,
    /// <summary>Live: issued here, not revoked, workspace not removed.</summary>
    Live,
    /// <summary>Issued to this workspace once, but revoked or the workspace was removed.</summary>
    Retired,
}

/// <summary>
/// Minting, revoking and validating workspace tokens. Validation is one point read of the workspace row,
/// which lists its live token hashes; the token row is read only for a hash that is not live there (to tell
/// "issued once, now revoked" from "never issued"). Mint and revoke change both rows in one partition
/// transaction, guarded by the workspace row's ETag, so revocation is effective at once on every instance.
/// </summary>
public sealed class Tokens(Tables tables, WorkspaceStore workspaces, TimeProvider time)
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

    /// <summary>Records hash → workspace before the token exists, for routes that do not name the workspace.</summary>
    public async Task IndexAsync(TokenEntity token, CancellationToken ct)
    {
        var index = await tables.GetAsync(Tables.TokenHashes, ct);
        await index.UpsertEntityAsync(new TokenHashEntity { PartitionKey = token.Hash, RowKey = token.Hash, WorkspaceId = token.WorkspaceId, TokenId = token.TokenId }, TableUpdateMode.Replace, ct);
    }

    /// <summary>Adds a new token to a workspace row being created or updated (the caller writes both rows together).</summary>
    public static MintedToken Attach(WorkspaceEntity workspace, DateTimeOffset now)
    {
        var minted = NewToken(workspace.Id, now);
        workspace.SetLiveToken(minted.Entity.Hash, 0);
        workspace.Claimed = true;
        workspace.ClaimExpiresAt = null;
        workspace.UpdatedAt = now;
        return minted;
    }

    /// <summary>
    /// Mints a token for a workspace row as read (ETag). Returns null when the row changed meanwhile (412):
    /// the caller re-reads and decides again (this is how concurrent claims have exactly one winner).
    /// </summary>
    public async Task<MintedToken?> TryMintAsync(WorkspaceEntity workspace, CancellationToken ct)
    {
        var minted = Attach(workspace, time.GetUtcNow());
        await IndexAsync(minted.Entity, ct);
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
        var table = await workspaces.TableAsync(ct);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var token = (await ListAsync(workspaceId, ct)).FirstOrDefault(t => t.TokenId == tokenId && t.RevokedAt is null);
            var workspace = await workspaces.GetAsync(workspaceId, ct);
            if (token is null || workspace is null) return false;
            var now = time.GetUtcNow();
            token.RevokedAt = now;
            workspace.RemoveLiveToken(token.Hash);
            workspace.UpdatedAt = now;
            try
            {
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, workspace, workspace.ETag),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, token, token.ETag),
                ], ct);
                return true;
            }
            catch (TableTransactionFailedException e) when (e.Status is 412 or 409) { }
        }
        throw new InvalidOperationException("token revocation kept conflicting");
    }

    /// <summary>Batch actions that mark every live token of a workspace revoked (for its tombstone transaction).</summary>
    public async Task<List<TableTransactionAction>> RevokeAllActionsAsync(WorkspaceEntity workspace, DateTimeOffset now, CancellationToken ct)
    {
        var actions = new List<TableTransactionAction>();
        foreach (var token in await ListAsync(workspace.Id, ct))
        {
            if (token.RevokedAt is not null) continue;
            token.RevokedAt = now;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, token, token.ETag));
        }
        workspace.LiveTokens = "";
        return actions;
    }

    /// <summary>
    /// The workspace a live token belongs to, found through the hash index, for routes that do not name the
    /// caller; null for an unknown, revoked or removed-workspace token.
    /// </summary>
    public async Task<WorkspaceEntity?> FindLiveCallerAsync(string tokenHash, CancellationToken ct)
    {
        var index = await tables.GetAsync(Tables.TokenHashes, ct);
        if ((await Tables.ReadAsync<TokenHashEntity>(index, tokenHash, tokenHash, ct))?.WorkspaceId is not { } workspaceId) return null;
        var (workspace, standing) = await LoadAsync(workspaceId, tokenHash, ct);
        return standing == TokenStanding.Live ? workspace : null;
    }

    /// <summary>The workspace row and where the presented token stands with it: one point read unless the token is not live there.</summary>
    public async Task<(WorkspaceEntity? Workspace, TokenStanding Standing)> LoadAsync(string workspaceId, string tokenHash, CancellationToken ct)
    {
        var workspace = await workspaces.GetAsync(workspaceId, ct);
        if (workspace is null) return (null, TokenStanding.Unknown);
        if (!workspace.IsRemoved && workspace.HasLiveToken(tokenHash)) return (workspace, TokenStanding.Live);
        var row = await Tables.ReadAsync<TokenEntity>(await workspaces.TableAsync(ct), workspaceId, TokenEntity.RowFor(tokenHash), ct);
        return (workspace, row is null ? TokenStanding.Unknown : TokenStanding.Retired);
    }

    /// <summary>
    /// Writes a workspace row read with its ETag and, when the token's last_used_at is due (at most once per
    /// 5 minutes, §1.2), the token row too — in one partition transaction, so a heartbeat stays one write.
    /// False on 412 (the caller re-reads).
    /// </summary>
    public async Task<bool> TryWriteWithTouchAsync(WorkspaceEntity workspace, string tokenHash, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!TouchDue(workspace, tokenHash, now)) return await workspaces.TryReplaceAsync(workspace, ct);
        workspace.SetLiveToken(tokenHash, now.ToUnixTimeSeconds());
        var table = await workspaces.TableAsync(ct);
        var patch = new TableEntity(workspace.Id, TokenEntity.RowFor(tokenHash)) { [nameof(TokenEntity.LastUsedAt)] = now };
        try
        {
            var responses = await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateReplace, workspace, workspace.ETag),
                new TableTransactionAction(TableTransactionActionType.UpdateMerge, patch, ETag.All),
            ], ct);
            workspace.ETag = responses.Value[0].Headers.ETag ?? workspace.ETag;
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status is 412 or 409 or 404) { return false; }
    }

    /// <summary>Records a use on a read-only route when due; best-effort (a concurrent write simply wins).</summary>
    public async Task TouchAsync(WorkspaceEntity workspace, string tokenHash, CancellationToken ct)
    {
        if (!TouchDue(workspace, tokenHash, time.GetUtcNow())) return;
        var copy = workspace.Clone();
        if (await TryWriteWithTouchAsync(copy, tokenHash, ct)) workspace.ETag = copy.ETag;
    }

    private static bool TouchDue(WorkspaceEntity workspace, string tokenHash, DateTimeOffset now) =>
        workspace.LastUse(tokenHash) is { } last && now.ToUnixTimeSeconds() - last >= (long)LastUsedGranularity.TotalSeconds;
}
