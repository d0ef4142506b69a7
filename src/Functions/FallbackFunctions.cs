using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Molecule.Core.Api;

namespace Molecule.Functions;

/// <summary>
/// Every request no other function takes: CORS preflights, 405 for a known path with another method,
/// GET / redirecting to the canvas,
/// JSON 404 for anything else. Catch-all routes rank last in both hosts' routers.
/// </summary>
public sealed class FallbackFunctions(ApiPipeline api, CanvasAssets canvas)
{
    public const string AllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    public const string AllowHeaders = "Authorization, Content-Type, X-Workspace-ID, X-Molecule-Org-Id, X-Timeout, A2A-Version, A2A-Extensions, traceparent, tracestate, If-None-Match";

    [Function("Fallback")]
    public Task<IActionResult> Fallback(
        [HttpTrigger(AuthorizationLevel.Anonymous, Route = "{*path}")] HttpRequest req, CancellationToken ct)
    {
        if (HttpMethods.IsOptions(req.Method) && req.Headers.ContainsKey("Access-Control-Request-Method"))
            return api.RunAsync(req, new RouteSpec(Access.Public), _ => Task.FromResult(Preflight(req)), ct);
        // GET / → the canvas (§3.1). The root cannot be an HTTP trigger route of its own in the Functions host.
        if (HttpMethods.IsGet(req.Method) && req.Path.Value is null or "" or "/")
            return api.RunAsync(req, new RouteSpec(Access.Public, Kind: RouteKind.Canvas), _ => Task.FromResult(canvas.RedirectToCanvas()), ct);
        return api.RunAsync(req, new RouteSpec(Access.Public), _ => Task.FromResult(
            RouteCatalog.AllowedMethods(req.Path.Value ?? "/") is { Count: > 0 } allow
                ? Errors.MethodNotAllowed(allow)
                : Errors.NotFoundRoute()), ct);
    }

    private ApiResult Preflight(HttpRequest req)
    {
        if (api.AllowedOrigin(req) is null) return ApiResult.Error(403, "origin not allowed");
        return ApiResult.NoBody(204)
            .WithHeader("Access-Control-Allow-Methods", AllowMethods)
            .WithHeader("Access-Control-Allow-Headers", AllowHeaders)
            .WithHeader("Access-Control-Max-Age", "600");
    }
}

/// <summary>The HTTP routes this assembly declares, read from its [HttpTrigger] attributes.</summary>
public static class RouteCatalog
{
    public sealed record Entry(string Function, string Route, IReadOnlyList<string> Methods, TemplateMatcher Matcher);

    public static readonly IReadOnlyList<Entry> Routes = Discover();

    public static IReadOnlyList<string> AllowedMethods(string path)
    {
        var allow = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in Routes)
        {
            if (entry.Methods.Count == 0) continue;
            if (entry.Matcher.TryMatch(path, new RouteValueDictionary()))
                foreach (var m in entry.Methods) allow.Add(m.ToUpperInvariant());
        }
        return allow.ToList();
    }

    private static List<Entry> Discover()
    {
        var list = new List<Entry>();
        foreach (var method in typeof(RouteCatalog).Assembly.GetTypes().SelectMany(t => t.GetMethods()))
        {
            var function = method.GetCustomAttribute<FunctionAttribute>();
            var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
            if (function is null || trigger is null || trigger.Route is null or "{*path}") continue;
            var template = TemplateParser.Parse(trigger.Route);
            list.Add(new Entry(function.Name, trigger.Route, trigger.Methods ?? [], new TemplateMatcher(template, new RouteValueDictionary())));
        }
        return list;
    }
}
