using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Molecule.Core.Auth;

namespace Molecule.Core.Api;

/// <summary>
/// The code every HTTP function call goes through, in both hosts: security headers, request id, CORS,
/// org pinning, path-id syntax, authentication, rate limiting, body caps and parsing, and the mapping of
/// unexpected failures to fixed JSON errors (never exception text).
/// </summary>
public sealed class ApiPipeline(
    IOptions<PlatformOptions> platformOptions,
    BearerClassifier classifier,
    Tokens tokens,
    Workspaces.WorkspaceStore workspaces,
    RateLimiter limiter,
    TimeProvider time,
    ILogger<ApiPipeline> logger)
{
    private readonly PlatformOptions platform = platformOptions.Value;
    private readonly IReadOnlyList<string> corsOrigins = platformOptions.Value.CorsOrigins();
    private readonly bool behindAzureFrontEnd = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID"));

    public const string ApiCsp = "default-src 'self'";

    public async Task<IActionResult> RunAsync(HttpRequest http, RouteSpec route, Func<ApiRequest, Task<ApiResult>> handler, CancellationToken ct)
    {
        RateLimiter.Decision? limit = null;
        ApiResult result;
        try
        {
            (result, limit) = await ProcessAsync(http, route, handler, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested || http.HttpContext.RequestAborted.IsCancellationRequested)
        {
            result = ApiResult.NoBody(499);
        }
        catch (Exception e) when (IsStorageUnavailable(e))
        {
            logger.LogWarning("storage unavailable: {Type} {Status} in {Method} {Path} (request {RequestId})", e.GetType().Name, (e as RequestFailedException)?.Status, http.Method, http.Path.Value, RequestId(http));
            result = Errors.Unavailable();
        }
        catch (Exception e)
        {
            logger.LogError(e, "unhandled failure in {Method} {Path} (request {RequestId})", http.Method, http.Path.Value, RequestId(http));
            result = Errors.Internal();
        }
        return Decorate(http, result, route.Kind, limit);
    }

    /// <summary>Headers every response carries (§0.4–0.6, §0.8).</summary>
    public ApiResult Decorate(HttpRequest http, ApiResult result, RouteKind kind, RateLimiter.Decision? limit)
    {
        result.WithHeader("X-Content-Type-Options", "nosniff")
            .WithHeader("X-Frame-Options", "DENY")
            .WithHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
            .WithHeader("Referrer-Policy", "strict-origin-when-cross-origin")
            .WithHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
            .WithHeader("X-Request-Id", RequestId(http));
        if (!result.Headers.ContainsKey("Content-Security-Policy")) result.WithHeader("Content-Security-Policy", ApiCsp);
        if (kind != RouteKind.Canvas && !result.Headers.ContainsKey("Cache-Control")) result.WithHeader("Cache-Control", "no-store");
        if (AllowedOrigin(http) is { } origin)
        {
            result.WithHeader("Access-Control-Allow-Origin", origin)
                .WithHeader("Vary", "Origin")
                .WithHeader("Access-Control-Expose-Headers",
                    "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, ETag, Content-Disposition, X-Plugin-Name, X-Plugin-Source, X-Request-Id");
        }
        if (limit is { } l)
        {
            result.WithHeader("X-RateLimit-Limit", l.Limit.ToString())
                .WithHeader("X-RateLimit-Remaining", l.Remaining.ToString())
                .WithHeader("X-RateLimit-Reset", l.ResetSeconds.ToString());
        }
        return result;
    }

    private async Task<(ApiResult, RateLimiter.Decision?)> ProcessAsync(HttpRequest http, RouteSpec route, Func<ApiRequest, Task<ApiResult>> handler, CancellationToken ct)
    {
        var exempt = route.Kind is RouteKind.Health or RouteKind.Canvas || HttpMethods.IsOptions(http.Method);
        var bearer = classifier.Classify(http.Headers.Authorization.ToString());
        var call = new ApiRequest { Http = http, Aborted = ct, BaseUrl = BaseUrl(http), Bearer = bearer, Now = time.GetUtcNow() };

        RateLimiter.Decision? limit = null;
        ApiResult? limited = null;
        call.Limiter = tokenHash =>
        {
            if (exempt || limit is not null) return limited;
            var key = bearer.IsAdmin ? "admin" : tokenHash is not null ? "tok:" + tokenHash : "ip:" + ClientIp(http);
            limit = limiter.Hit(key);
            limited = limit.Value.Allowed ? null : RateLimited(limit.Value.ResetSeconds);
            return limited;
        };

        var early = OrgPinning(http) ?? PathId(route);
        var authError = early is null ? await AuthenticateAsync(call, route, ct) : null;
        var authenticatedHere = route.Access != Access.Handler || early is not null;
        if (authenticatedHere && call.RateLimit(authError is null ? call.OwnTokenHash : null) is { } tooMany) return (tooMany, limit);
        if ((early ?? authError) is { } refused) return (refused, limit);

        if (route.ReadsBody && await ReadBodyAsync(http, call, route, ct) is { } bodyError)
            return (call.RateLimit(null) ?? bodyError, limit);

        if (call.OwnTokenHash is { } hash) await tokens.TouchAsync(call.Workspace!, hash, ct);
        var result = await handler(call);
        // A handler that authenticates itself counts the request once it knows the credential; one that
        // answered before that (bad body, failed auth) is counted against the client IP here.
        return (call.RateLimit(null) ?? result, limit);
    }

    private ApiResult? OrgPinning(HttpRequest http)
    {
        if (string.IsNullOrEmpty(platform.OrgId) || IsOrgExempt(http)) return null;
        var presented = http.Headers["X-Molecule-Org-Id"].ToString();
        return string.Equals(presented, platform.OrgId, StringComparison.Ordinal) ? null : Errors.NotFoundRoute();
    }

    /// <summary>The exact exemptions of §0.7 (no prefix matching).</summary>
    public static bool IsOrgExempt(HttpRequest http)
    {
        var path = http.Path.Value ?? "/";
        if (HttpMethods.IsOptions(http.Method)) return true;
        if (HttpMethods.IsGet(http.Method))
            return path is "/health" or "/" or "/canvas" || path.StartsWith("/canvas/", StringComparison.Ordinal);
        return HttpMethods.IsPost(http.Method) && path is "/registry/register" or "/registry/heartbeat";
    }

    private static ApiResult? PathId(RouteSpec route) =>
        route.PathId is { } id && !Ids.IsWorkspaceId(id) ? Errors.InvalidWorkspaceId("id")
        : route.TokenId is { } tokenId && !Ids.IsLowerUuid(tokenId) ? Errors.InvalidTokenId()
        : route.SecretKey is { } key && !Secrets.SecretNames.IsValidKey(key) ? Secrets.SecretService.InvalidKey()
        : route.PluginName is { } plugin && !Plugins.PluginService.IsValidName(plugin) ? ApiResult.Error(400, "invalid plugin name")
        : null;

    private async Task<ApiResult?> AuthenticateAsync(ApiRequest call, RouteSpec route, CancellationToken ct)
    {
        var bearer = call.Bearer;
        switch (route.Access)
        {
            case Access.Public:
            case Access.Handler:
                return null;
            case Access.Admin:
                if (!classifier.AdminConfigured) return Errors.AdminNotConfigured();
                if (!bearer.IsPresent) return Errors.AdminRequired();
                return bearer.IsAdmin ? null : Errors.InvalidAdmin();
            case Access.AdminOrOwn:
            case Access.Own:
                if (!bearer.IsPresent) return Errors.MissingWorkspaceToken();
                if (bearer.IsAdmin)
                {
                    if (route.Access == Access.Own) return Errors.OwnTokenRequired();
                    call.Workspace = await workspaces.GetAsync(route.PathId!, ct);
                    return null;
                }
                if (bearer.Kind != CredentialKind.WorkspaceToken) return Errors.InvalidWorkspaceToken();
                var (workspace, standing) = await tokens.LoadAsync(route.PathId!, bearer.TokenHash!, ct);
                if (standing != TokenStanding.Live) return Errors.InvalidWorkspaceToken();
                call.Workspace = workspace;
                call.OwnTokenHash = bearer.TokenHash;
                return null;
            case Access.AdminOrAnyWorkspace:
                if (!bearer.IsPresent) return Errors.MissingWorkspaceToken();
                if (bearer.IsAdmin) return null;
                if (bearer.Kind != CredentialKind.WorkspaceToken) return Errors.InvalidWorkspaceToken();
                if (await tokens.FindLiveCallerAsync(bearer.TokenHash!, ct) is not { } caller) return Errors.InvalidWorkspaceToken();
                call.Workspace = caller;
                call.OwnTokenHash = bearer.TokenHash;
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(route));
        }
    }

    private static async Task<ApiResult?> ReadBodyAsync(HttpRequest http, ApiRequest call, RouteSpec route, CancellationToken ct)
    {
        if (http.ContentLength is { } declared && declared > route.BodyLimit) return Errors.TooLarge(route.BodyLimit);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > route.BodyLimit) return Errors.TooLarge(route.BodyLimit);
            buffer.Write(chunk, 0, read);
        }
        if (route.RawBody)
        {
            call.RawBody = buffer.ToArray();
            return null;
        }
        if (buffer.Length == 0 && route.EmptyBodyIsObject)
        {
            call.Body = JsonDocument.Parse("{}").RootElement;
            return null;
        }
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (ParseObject(body) is not { } parsed) return BodyError(body);
        call.Body = parsed;
        return null;
    }

    /// <summary>The body as a JSON object, or null when it is not JSON or not an object.</summary>
    public static JsonElement? ParseObject(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Why <see cref="ParseObject"/> refused a body: not JSON (400 invalid JSON) or not an object.</summary>
    public static ApiResult BodyError(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
            return ApiResult.Error(400, "invalid request body", detail: "body: must be a JSON object");
        }
        catch (JsonException)
        {
            return Errors.InvalidJson();
        }
    }

    private static ApiResult RateLimited(int retryAfter) =>
        ApiResult.Error(429, "rate limit exceeded", "rate_limited", extra: b => b["retry_after"] = retryAfter)
            .WithHeader("Retry-After", retryAfter.ToString());

    public string ClientIp(HttpRequest http)
    {
        if (behindAzureFrontEnd)
        {
            var forwarded = http.Headers["X-Forwarded-For"].ToString();
            var last = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (last is not null) return StripPort(last);
        }
        return http.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    private static string StripPort(string address)
    {
        if (address.StartsWith('[')) return address[1..Math.Max(1, address.IndexOf(']'))];
        var colon = address.IndexOf(':');
        return colon > 0 && address.IndexOf(':', colon + 1) < 0 ? address[..colon] : address;
    }

    public string BaseUrl(HttpRequest http) =>
        platform.PublicBaseUrl is { Length: > 0 } configured ? configured : $"{http.Scheme}://{http.Host.Value}";

    private static string RequestId(HttpRequest http)
    {
        if (http.HttpContext.Items.TryGetValue("molecule.request-id", out var existing) && existing is string s) return s;
        var id = http.Headers["x-ms-invocation-id"].ToString() is { Length: > 0 } invocation ? invocation : Guid.NewGuid().ToString("D");
        http.HttpContext.Items["molecule.request-id"] = id;
        return id;
    }

    /// <summary>The Origin when it exactly matches a configured origin (scheme and host case-insensitive).</summary>
    public string? AllowedOrigin(HttpRequest http)
    {
        var origin = http.Headers.Origin.ToString();
        if (origin.Length == 0 || corsOrigins.Count == 0) return null;
        return corsOrigins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase)) ? origin : null;
    }

    private static bool IsStorageUnavailable(Exception e) => e switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or SocketException => true,
        TaskCanceledException t => t.InnerException is TimeoutException,
        AggregateException a => a.InnerExceptions.All(IsStorageUnavailable),
        _ => false,
    };
}
