using Microsoft.AspNetCore.Http;

namespace Molecule.Core.Api;

/// <summary>The contract's fixed error responses (§0, §1.4, §3).</summary>
public static class Errors
{
    public static ApiResult NotFoundRoute() => ApiResult.Error(404, "not found");
    public static ApiResult MethodNotAllowed(IEnumerable<string> allow) =>
        ApiResult.Error(405, "method not allowed").WithHeader("Allow", string.Join(", ", allow));
    public static ApiResult InvalidJson() => ApiResult.Error(400, "invalid JSON");
    public static ApiResult InvalidBody(string detail) => ApiResult.Error(400, "invalid request body", detail: detail);
    public static ApiResult InvalidQuery(string detail) => ApiResult.Error(400, "invalid query parameter", detail: detail);
    public static ApiResult InvalidHeader(string detail) => ApiResult.Error(400, "invalid header", detail: detail);
    public static ApiResult InvalidWorkspaceId(string where) => ApiResult.Error(400, "invalid workspace ID", detail: where);
    public static ApiResult InvalidTokenId() => ApiResult.Error(400, "invalid token ID");
    public static ApiResult TooLarge(long limit) =>
        ApiResult.Error(StatusCodes.Status413PayloadTooLarge, "request body too large", "payload_too_large", $"limit {limit} bytes");
    public static ApiResult Unavailable() =>
        ApiResult.Error(503, "platform datastore unavailable — retry shortly", "platform_unavailable").WithHeader("Retry-After", "5");
    public static ApiResult Internal() => ApiResult.Error(500, "internal error", "internal");

    public static ApiResult AdminNotConfigured() => ApiResult.Error(503, "admin token not configured", "admin_not_configured");
    public static ApiResult AdminRequired() => ApiResult.Error(401, "admin auth required");
    public static ApiResult InvalidAdmin() => ApiResult.Error(401, "invalid admin auth token");
    public static ApiResult MissingWorkspaceToken() => ApiResult.Error(401, "missing workspace auth token");
    public static ApiResult InvalidWorkspaceToken() => ApiResult.Error(401, "invalid workspace auth token");
    public static ApiResult OwnTokenRequired() => ApiResult.Error(403, "this route requires the workspace's own token");

    public static ApiResult WorkspaceNotFound() => ApiResult.Error(404, "workspace not found");
    public static ApiResult WorkspaceRemoved(string id, DateTimeOffset? removedAt) =>
        ApiResult.Error(410, "workspace removed", extra: body =>
        {
            body["id"] = id;
            body["removed_at"] = removedAt is { } at ? ApiJson.Timestamp(at) : null;
        });
    public static ApiResult WorkspaceRemovedShort() => ApiResult.Error(410, "workspace removed");
}
