using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Molecule.Core.Events;

namespace Molecule.LocalHost;

/// <summary>LocalHost's stand-in for Azure SignalR Service: an in-process hub the same browser client connects to.</summary>
public sealed class CanvasHub : Hub;

/// <summary>Pushes canvas events to every connected canvas on hub method "event" (§4).</summary>
public sealed class HubCanvasEvents(IHubContext<CanvasHub> hub) : ICanvasEvents
{
    public Task PublishAsync(CanvasEvent canvasEvent, CancellationToken cancellationToken) =>
        hub.Clients.All.SendAsync("event", new System.Text.Json.Nodes.JsonObject
        {
            ["event"] = canvasEvent.Event,
            ["workspace_id"] = canvasEvent.WorkspaceId,
            ["timestamp"] = Molecule.Core.Api.ApiJson.Timestamp(canvasEvent.Timestamp),
            ["payload"] = canvasEvent.Payload.DeepClone(),
        }, cancellationToken);
}

/// <summary>
/// Negotiate on LocalHost: the hub's URL and a 60-minute token signed with a per-process key (the role the
/// service's access token plays in Azure). The hub accepts only connections that present it.
/// </summary>
public sealed class LocalRealtime(TimeProvider time) : IRealtimeNegotiator
{
    public const string HubPath = "/realtime/client";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(60);
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

    public Task<RealtimeConnection?> NegotiateAsync(string baseUrl, CancellationToken cancellationToken)
    {
        var expires = time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds().ToString();
        var token = expires + "." + Sign(expires);
        return Task.FromResult<RealtimeConnection?>(new RealtimeConnection($"{baseUrl}{HubPath}/?hub=canvas", token));
    }

    public bool IsValid(string? token)
    {
        if (token is null || token.Split('.') is not [var expires, var signature]) return false;
        if (!long.TryParse(expires, out var at) || DateTimeOffset.FromUnixTimeSeconds(at) < time.GetUtcNow()) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(expires)), Encoding.ASCII.GetBytes(signature));
    }

    private static readonly (string, string)[] SecurityHeaders =
    [
        ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"), ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"), ("Content-Security-Policy", "default-src 'self'"),
        ("Cache-Control", "no-store"),
    ];

    private string Sign(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(value)));

    /// <summary>Refuses hub requests (negotiate, WebSocket, long polling) without a valid token: bearer header or access_token query.</summary>
    public async Task GuardAsync(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path.StartsWithSegments(HubPath))
        {
            foreach (var (name, value) in SecurityHeaders) context.Response.Headers[name] = value;
            var token = Core.Auth.Bearer.Credential(context.Request.Headers.Authorization.ToString()) ?? context.Request.Query["access_token"].ToString();
            if (!IsValid(token))
            {
                context.Response.StatusCode = 401;
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync("{\"error\":\"invalid realtime access token\"}");
                return;
            }
        }
        await next();
    }
}
