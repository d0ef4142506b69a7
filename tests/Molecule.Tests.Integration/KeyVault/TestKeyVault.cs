using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.KeyVault;

/// <summary>
/// The part of the Key Vault secrets REST API that <c>SecretClient</c> uses, over HTTPS on a loopback port
/// with a certificate made for this instance: set, get, delete into a soft-deleted set, recover, purge. It speaks
/// the bearer challenge (401 with WWW-Authenticate until a token is sent), records every request, and can be told
/// to throttle or fail. Names are case-insensitive, as in Key Vault. Any api-version is accepted (SecretClient
/// 4.12.0 sends 2026-04-01; older clients send 7.x).
/// </summary>
public sealed class TestKeyVault : IAsyncDisposable
{
    public const string ChallengeHeader = "Bearer authorization=\"https://login.microsoftonline.com/tenant\", resource=\"https://vault.azure.net\"";

    // SecretClient caches a vault's challenge per authority for the whole process; a fresh port per vault keeps
    // every instance's first request unauthenticated, as against a vault this process has never called.
    private static readonly HashSet<int> PortsUsed = [];

    private readonly WebApplication app;
    private readonly object gate = new();
    private readonly Dictionary<string, StoredSecret> live = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, StoredSecret> deleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly Queue<Fault> faults = new();
    private readonly HashSet<string> failingReads = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    public Uri VaultUri { get; }
    public X509Certificate2 Certificate { get; }

    /// <summary>Every request in arrival order, challenged ones included.</summary>
    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    /// <summary>The bearer tokens presented, in order.</summary>
    public IReadOnlyList<string> TokensSeen => Requests.Select(r => r.Token).OfType<string>().ToArray();

    private TestKeyVault(WebApplication app, X509Certificate2 certificate, Uri vaultUri)
    {
        this.app = app;
        Certificate = certificate;
        VaultUri = vaultUri;
    }

    public static async Task<TestKeyVault> StartAsync()
    {
        while (true)
        {
            var certificate = TestTls.CreateCertificate();
            TestKeyVault? vault = null;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
            var app = builder.Build();
            app.Use((context, next) => vault!.AdmitAsync(context, next));
            app.MapPut("/secrets/{name}", (string name, HttpContext context) => vault!.SetAsync(name, context));
            app.MapGet("/secrets/{name}/{version?}", (string name, string? version, HttpContext context) => vault!.Get(name, version, context));
            app.MapDelete("/secrets/{name}", (string name, HttpContext context) => vault!.Delete(name, context));
            app.MapGet("/deletedsecrets/{name}", (string name, HttpContext context) => vault!.GetDeleted(name, context));
            app.MapPost("/deletedsecrets/{name}/recover", (string name, HttpContext context) => vault!.Recover(name, context));
            app.MapDelete("/deletedsecrets/{name}", (string name) => vault!.Purge(name));
            await app.StartAsync();

            var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
            bool fresh;
            lock (PortsUsed) fresh = PortsUsed.Add(port);
            vault = new TestKeyVault(app, certificate, new Uri($"https://127.0.0.1:{port}/"));
            if (fresh) return vault;
            await vault.DisposeAsync();
        }
    }

    /// <summary>An HTTP transport for SecretClient that trusts exactly this vault's certificate.</summary>
    public HttpClientTransport CreateTransport()
        => TestTls.PinnedTransport(Certificate);

    /// <summary>The next <paramref name="count"/> authorized requests (to <paramref name="path"/> only, if given) answer
    /// <paramref name="status"/>, with a Retry-After header when <paramref name="retryAfterSeconds"/> is given.</summary>
    public void FailNext(int count, HttpStatusCode status, int? retryAfterSeconds = null, string? path = null)
    {
        lock (gate)
            for (var i = 0; i < count; i++) faults.Enqueue(new Fault(status, retryAfterSeconds, path is null ? null : Normalize(path)));
    }

    /// <summary>Every read of this secret answers 500 from now on.</summary>
    public void FailReadsOf(string name)
    {
        lock (gate) failingReads.Add(name);
    }

    /// <summary>Requests seen with this method and path (trailing slash ignored).</summary>
    public int CountRequests(string method, string path) =>
        Requests.Count(r => r.Method == method && string.Equals(r.Path, Normalize(path), StringComparison.OrdinalIgnoreCase));

    /// <summary>Puts a secret straight into the deleted set, as if deleted earlier.</summary>
    public void SeedDeleted(string name, string value)
    {
        lock (gate) deleted[name] = StoredSecret.Create(name, value, new Dictionary<string, string>());
    }

    public bool IsDeleted(string name)
    {
        lock (gate) return deleted.ContainsKey(name);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        var path = Normalize(context.Request.Path.Value ?? "/");
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        requests.Enqueue(new RecordedRequest(context.Request.Method, path, token, context.Request.Query["api-version"].ToString()));

        if (string.IsNullOrEmpty(token))
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = ChallengeHeader;
            await context.Response.WriteAsJsonAsync(Error("Unauthorized", "AKV10000: Request is missing a Bearer or PoP token."));
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(Error("BadParameter", "The api-version query parameter is required."));
            return;
        }

        Fault? fault = null;
        lock (gate)
            if (faults.TryPeek(out var next0) && (next0.Path is null || string.Equals(next0.Path, path, StringComparison.OrdinalIgnoreCase)))
                fault = faults.Dequeue();
        if (fault is not null)
        {
            context.Response.StatusCode = (int)fault.Status;
            if (fault.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString();
            await context.Response.WriteAsJsonAsync(Error(fault.Status == HttpStatusCode.TooManyRequests ? "Throttled" : "ServiceUnavailable", "Injected fault."));
            return;
        }

        await next(context);
    }

    private async Task<IResult> SetAsync(string name, HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var value = body?["value"]?.GetValue<string>();
        if (value is null) return Results.Json(Error("BadParameter", "The value is required."), statusCode: 400);
        var tags = body?["tags"]?.AsObject().ToDictionary(t => t.Key, t => t.Value?.GetValue<string>() ?? "") ?? [];

        lock (gate)
        {
            if (deleted.ContainsKey(name))
                return Results.Json(Error("Conflict",
                    $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
                    "ObjectIsDeletedButRecoverable"), statusCode: 409);
            var secret = live.TryGetValue(name, out var existing) ? existing.NewVersion(value, tags) : StoredSecret.Create(name, value, tags);
            live[name] = secret;
            return Results.Json(Bundle(secret, context, includeValue: true));
        }
    }

    private IResult Get(string name, string? version, HttpContext context)
    {
        lock (gate)
        {
            if (failingReads.Contains(name)) return Results.Json(Error("InternalServerError", "Injected failure."), statusCode: 500);
            if (!live.TryGetValue(name, out var secret) || (!string.IsNullOrEmpty(version) && version != secret.Version))
                return SecretNotFound(name);
            return Results.Json(Bundle(secret, context, includeValue: true));
        }
    }

    private IResult Delete(string name, HttpContext context)
    {
        lock (gate)
        {
            if (!live.Remove(name, out var secret)) return SecretNotFound(name);
            secret = secret with { DeletedOn = DateTimeOffset.UtcNow };
            deleted[name] = secret;
            return Results.Json(DeletedBundle(secret, context));
        }
    }

    private IResult GetDeleted(string name, HttpContext context)
    {
        lock (gate)
            return deleted.TryGetValue(name, out var secret)
                ? Results.Json(DeletedBundle(secret, context))
                : Results.Json(Error("SecretNotFound", $"Deleted Secret not found: {name}"), statusCode: 404);
    }

    private IResult Recover(string name, HttpContext context)
    {
        lock (gate)
        {
            if (!deleted.Remove(name, out var secret))
                return Results.Json(Error("SecretNotFound", $"Deleted Secret not found: {name}"), statusCode: 404);
            secret = secret with { DeletedOn = null };
            live[name] = secret;
            return Results.Json(Bundle(secret, context, includeValue: false));
        }
    }

    private IResult Purge(string name)
    {
        lock (gate)
            return deleted.Remove(name)
                ? Results.NoContent()
                : Results.Json(Error("SecretNotFound", $"Deleted Secret not found: {name}"), statusCode: 404);
    }

    private static IResult SecretNotFound(string name) =>
        Results.Json(Error("SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault."), statusCode: 404);

    private static JsonObject Error(string code, string message, string? innerCode = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null) error["innererror"] = new JsonObject { ["code"] = innerCode };
        return new JsonObject { ["error"] = error };
    }

    private static JsonObject Bundle(StoredSecret secret, HttpContext context, bool includeValue)
    {
        var bundle = new JsonObject();
        if (includeValue) bundle["value"] = secret.Value;
        bundle["id"] = $"{Origin(context)}/secrets/{secret.Name}/{secret.Version}";
        bundle["attributes"] = new JsonObject
        {
            ["enabled"] = true,
            ["created"] = secret.Created.ToUnixTimeSeconds(),
            ["updated"] = secret.Updated.ToUnixTimeSeconds(),
            ["recoveryLevel"] = "Recoverable",
            ["recoverableDays"] = 90,
        };
        bundle["tags"] = new JsonObject(secret.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)JsonValue.Create(t.Value))));
        return bundle;
    }

    private static JsonObject DeletedBundle(StoredSecret secret, HttpContext context)
    {
        var bundle = Bundle(secret, context, includeValue: false);
        var deletedOn = secret.DeletedOn ?? DateTimeOffset.UtcNow;
        bundle["recoveryId"] = $"{Origin(context)}/deletedsecrets/{secret.Name}";
        bundle["deletedDate"] = deletedOn.ToUnixTimeSeconds();
        bundle["scheduledPurgeDate"] = deletedOn.AddDays(90).ToUnixTimeSeconds();
        return bundle;
    }

    private static string Origin(HttpContext context) => $"https://{context.Request.Host}";

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;


    public sealed record RecordedRequest(string Method, string Path, string? Token, string ApiVersion);

    private sealed record Fault(HttpStatusCode Status, int? RetryAfterSeconds, string? Path);

    private sealed record StoredSecret(string Name, string Version, string Value, IReadOnlyDictionary<string, string> Tags,
        DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? DeletedOn)
    {
        public static StoredSecret Create(string name, string value, IReadOnlyDictionary<string, string> tags)
        {
            var now = DateTimeOffset.UtcNow;
            return new StoredSecret(name, Guid.NewGuid().ToString("N"), value, tags, now, now, null);
        }

        public StoredSecret NewVersion(string value, IReadOnlyDictionary<string, string> tags) =>
            this with { Version = Guid.NewGuid().ToString("N"), Value = value, Tags = tags, Updated = DateTimeOffset.UtcNow };
    }
}
