using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Molecule.Core.Api;
using Molecule.Core.Auth;

namespace Molecule.Functions;

/// <summary>Token routes (contract §3.4).</summary>
public sealed class TokenFunctions(ApiPipeline api, TokenService tokens)
{
    [Function("ListTokens")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "workspaces/{id}/tokens")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id), call => tokens.ListAsync(call, id), ct);

    [Function("MintToken")]
    public Task<IActionResult> Mint(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "workspaces/{id}/tokens")] HttpRequest req, string id, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Admin, id), call => tokens.MintAsync(call, id), ct);

    [Function("RevokeToken")]
    public Task<IActionResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "workspaces/{id}/tokens/{tokenId}")] HttpRequest req, string id, string tokenId, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.AdminOrOwn, id) { TokenId = tokenId }, call => tokens.RevokeAsync(call, id, tokenId), ct);
}
