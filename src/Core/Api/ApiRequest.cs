using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Molecule.Core.Auth;
using Molecule.Core.Workspaces;

namespace Molecule.Core.Api;

public enum Access
{
    /// <summary>No credential needed (health, canvas pages).</summary>
    Public,
    /// <summary>Admin-only: 503 while no admin token is configured.</summary>
    Admin,
    /// <summary>Admin, or a live token of the workspace in the path.</summary>
    AdminOrOwn,
    /// <summary>A live token of the workspace in the path; the admin token answers 403.</summary>
    Own,
    /// <summary>The admin token or a live token of any workspace (the plugin catalogue).</summary>
    AdminOrAnyWorkspace,
    /// <summary>The handler authenticates (the registry routes take the workspace id from the body).</summary>
    Handler,
}

public enum RouteKind { Api, Health, Canvas }

/// <summary>What the pipeline needs to know about a route before running its handler.</summary>
public sealed record RouteSpec(Access Access, string? PathId = null, int BodyLimit = 0, bool EmptyBodyIsObject = false, RouteKind Kind = RouteKind.Api)
{
    /// <summary>A token id path segment, checked with the path id before authentication.</summary>
    public string? TokenId { get; init; }

    /// <summary>Read the body (with the cap) but leave parsing to the handler (the A2A proxy checks callers first).</summary>
    public bool RawBody { get; init; }

    /// <summary>A plugin name path segment, checked with the path id before authentication.</summary>
    public string? PluginName { get; init; }

    /// <summary>A secret key path segment, checked with the path id before authentication.</summary>
    public string? SecretKey { get; init; }

    public const int DefaultBodyLimit = 64 * 1024;

    public bool ReadsBody => BodyLimit > 0;
}

/// <summary>One authenticated API call as handlers see it.</summary>
public sealed class ApiRequest
{
    public required HttpRequest Http { get; init; }
    public required CancellationToken Aborted { get; init; }
    public required string BaseUrl { get; init; }
    public required Bearer Bearer { get; init; }
    public required DateTimeOffset Now { get; init; }

    /// <summary>The body bytes, for routes that parse it themselves (<see cref="RouteSpec.RawBody"/>).</summary>
    public ReadOnlyMemory<byte> RawBody { get; internal set; }

    /// <summary>Parsed JSON object body (routes with a body only).</summary>
    public JsonElement Body { get; set; }

    /// <summary>The path workspace, loaded during authentication (null when unknown or not loaded).</summary>
    public WorkspaceEntity? Workspace { get; internal set; }

    /// <summary>The presented token's hash when the caller authenticated with the path workspace's own live token.</summary>
    public string? OwnTokenHash { get; internal set; }

    public bool IsAdmin => Bearer.IsAdmin;

    /// <summary>Rate limiting hook (§0.8), set by the pipeline; see <see cref="RateLimit"/>.</summary>
    internal Func<string?, ApiResult?>? Limiter { get; set; }

    /// <summary>
    /// Counts this request against its bucket: the validated token's hash when given, the client IP otherwise.
    /// Routes that authenticate in their handler call it right after authenticating and before any effect;
    /// a non-null result (429) must be returned as is. Only the first call counts.
    /// </summary>
    public ApiResult? RateLimit(string? validatedTokenHash) => Limiter?.Invoke(validatedTokenHash);

    private BodyReader? reader;
    public BodyReader Fields => reader ??= new BodyReader(Body);

    /// <summary>A query parameter; empty values count as absent (§3.9.2).</summary>
    public string? Query(string name)
    {
        var value = Http.Query[name].ToString();
        return value.Length == 0 ? null : value;
    }

    /// <summary>An integer query parameter in [min, max]; the default when absent, null with a 400 otherwise.</summary>
    public int? IntQuery(string name, int min, int max, int fallback, out ApiResult? error)
    {
        error = null;
        if (Query(name) is not { } text) return fallback;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, null, out var value) && value >= min && value <= max) return value;
        error = Errors.InvalidQuery($"{name}: must be an integer between {min} and {max}");
        return null;
    }

    /// <summary>A strict true/false query flag; null with an error result when the value is anything else.</summary>
    public bool? Flag(string name, out ApiResult? error)
    {
        error = null;
        switch (Query(name))
        {
            case null: return false;
            case "true": return true;
            case "false": return false;
            default:
                error = Errors.InvalidQuery($"{name}: must be true or false");
                return null;
        }
    }
}
