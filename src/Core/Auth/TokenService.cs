using System.Text.Json.Nodes;
using Molecule.Core.Api;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Auth;

/// <summary>The token routes of contract §3.4.</summary>
public sealed class TokenService(Tokens tokens, WorkspaceStore store)
{
    public async Task<ApiResult> ListAsync(ApiRequest call, string id)
    {
        if (call.Flag("include_revoked", out var error) is not { } includeRevoked) return error!;
        if (call.Workspace is null) return Errors.WorkspaceNotFound();
        var list = await tokens.ListAsync(id, call.Aborted);
        return ApiResult.Ok(list
            .Where(t => includeRevoked || t.RevokedAt is null)
            .OrderByDescending(t => t.CreatedAt).ThenBy(t => t.TokenId, StringComparer.Ordinal)
            .Select(t => new TokenView(t.TokenId, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt))
            .ToList());
    }

    public async Task<ApiResult> MintAsync(ApiRequest call, string id)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var workspace = await store.GetAsync(id, call.Aborted);
            if (workspace is null) return Errors.WorkspaceNotFound();
            if (workspace.IsRemoved) return Errors.WorkspaceRemoved(workspace.Id, workspace.RemovedAt);
            if (workspace.LiveTokenCount >= Tokens.MaxLive) return ApiResult.Error(409, "maximum 50 live tokens per workspace");
            if (await tokens.TryMintAsync(workspace, call.Aborted) is not { } minted) continue;
            return ApiResult.Json(201, new JsonObject
            {
                ["id"] = minted.Entity.TokenId,
                ["workspace_id"] = id,
                ["auth_token"] = minted.Plaintext,
                ["prefix"] = minted.Entity.Prefix,
                ["created_at"] = ApiJson.Timestamp(minted.Entity.CreatedAt),
                ["warning"] = "store this token now; it is not shown again",
            });
        }
        throw new InvalidOperationException("token mint kept conflicting");
    }

    public async Task<ApiResult> RevokeAsync(ApiRequest call, string id, string tokenId)
    {
        var workspace = call.Workspace;
        if (workspace is null) return Errors.WorkspaceNotFound();
        if (workspace.IsRemoved) return Errors.WorkspaceRemoved(workspace.Id, workspace.RemovedAt);
        return await tokens.RevokeAsync(id, tokenId, call.Aborted)
            ? ApiResult.Ok(new { status = "revoked", id = tokenId })
            : ApiResult.Error(404, "token not found or already revoked");
    }

    private sealed record TokenView(string Id, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
}
