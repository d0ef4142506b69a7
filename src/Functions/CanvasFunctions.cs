using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Molecule.Core.Api;

namespace Molecule.Functions;

/// <summary>
/// The canvas page (§3.1): GET /canvas and its static assets under /canvas/…, embedded in this assembly at
/// build time (Canvas/*, and the SignalR browser client from tools/canvas/node_modules). Public, no data,
/// exempt from org pinning and rate limits, served with the canvas Content-Security-Policy of §0.5.
/// </summary>
public sealed class CanvasFunctions(ApiPipeline api, CanvasAssets assets)
{
    [Function("Canvas")]
    public Task<IActionResult> Canvas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "canvas/{*asset}")] HttpRequest req, string? asset, CancellationToken ct) =>
        api.RunAsync(req, new RouteSpec(Access.Public, Kind: RouteKind.Canvas), _ => Task.FromResult(assets.Serve(req, asset)), ct);
}

/// <summary>The embedded canvas files, with content types, ETags and the canvas CSP.</summary>
public sealed class CanvasAssets
{
    private const string ResourcePrefix = "canvas/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8", [".svg"] = "image/svg+xml", [".png"] = "image/png",
        [".ico"] = "image/x-icon", [".map"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private readonly FrozenDictionary<string, Asset> files;

    public CanvasAssets(IConfiguration configuration)
    {
        Csp = ContentSecurityPolicy(configuration["Molecule:SignalREndpoint"]);
        var assembly = typeof(CanvasAssets).Assembly;
        var map = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            map[name[ResourcePrefix.Length..]] = new Asset(bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"");
        }
        files = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The canvas routes' CSP (§0.5): the SignalR Service origins join connect-src when one is configured.</summary>
    public string Csp { get; }

    public IEnumerable<string> Names => files.Keys;

    public static string ContentSecurityPolicy(string? signalREndpoint)
    {
        var connect = "'self'";
        if (Uri.TryCreate(signalREndpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "https" or "http")
        {
            var authority = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
            var secure = endpoint.Scheme == "https";
            connect += $" {endpoint.Scheme}://{authority} {(secure ? "wss" : "ws")}://{authority}";
        }
        return $"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src {connect}; font-src 'self' data:";
    }

    public ApiResult Serve(HttpRequest req, string? asset)
    {
        var name = string.IsNullOrEmpty(asset) ? "index.html" : asset;
        if (!files.TryGetValue(name, out var file)) return WithPolicy(Errors.NotFoundRoute());
        if (req.Headers.IfNoneMatch.ToString() == file.ETag)
            return WithPolicy(ApiResult.NoBody(304)).WithHeader("ETag", file.ETag).WithHeader("Cache-Control", "no-cache");
        return WithPolicy(ApiResult.Raw(200, file.Bytes, file.ContentType)).WithHeader("ETag", file.ETag).WithHeader("Cache-Control", "no-cache");
    }

    /// <summary>GET / (§3.1).</summary>
    public ApiResult RedirectToCanvas() => WithPolicy(ApiResult.NoBody(302)).WithHeader("Location", "/canvas");

    private ApiResult WithPolicy(ApiResult result) => result.WithHeader("Content-Security-Policy", Csp);
}
