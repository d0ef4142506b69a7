using Microsoft.Extensions.Logging;
using Molecule.Core.Api;

namespace Molecule.Core.Events;

/// <summary>What POST /realtime/negotiate answers (§3.1): where the canvas connects, and with which token.</summary>
public sealed record RealtimeConnection(string Url, string AccessToken);

/// <summary>The host-specific half of negotiate: Azure SignalR Service in Azure, the in-process hub on LocalHost.</summary>
public interface IRealtimeNegotiator
{
    Task<RealtimeConnection?> NegotiateAsync(string baseUrl, CancellationToken cancellationToken);
}

/// <summary>Used when no realtime transport is configured: negotiate says so instead of pretending.</summary>
public sealed class UnconfiguredRealtime : IRealtimeNegotiator
{
    public Task<RealtimeConnection?> NegotiateAsync(string baseUrl, CancellationToken cancellationToken) => Task.FromResult<RealtimeConnection?>(null);
}

/// <summary>In Azure: the service's client URL and a 60-minute client token from its :generateToken API.</summary>
public sealed class SignalRServiceNegotiator(SignalRServiceEvents service) : IRealtimeNegotiator
{
    public async Task<RealtimeConnection?> NegotiateAsync(string baseUrl, CancellationToken cancellationToken) =>
        new(service.ClientUrl, await service.GenerateClientTokenAsync(TimeSpan.FromMinutes(60), cancellationToken));
}

/// <summary>POST /realtime/negotiate (admin).</summary>
public sealed class RealtimeService(IRealtimeNegotiator negotiator, ILogger<RealtimeService> logger)
{
    public async Task<ApiResult> NegotiateAsync(ApiRequest call)
    {
        RealtimeConnection? connection;
        try
        {
            connection = await negotiator.NegotiateAsync(call.BaseUrl, call.Aborted);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException)
        {
            // The service refused or could not be reached: the canvas falls back to polling and retries.
            logger.LogWarning("realtime negotiate failed: {Type} {Status}", e.GetType().Name, (e as Azure.RequestFailedException)?.Status);
            return ApiResult.Error(503, "realtime service unavailable — retry shortly").WithHeader("Retry-After", "5");
        }
        if (connection is null) return ApiResult.Error(503, "realtime delivery not configured");
        // camelCase here only: the @microsoft/signalr client reads a redirect as {url, accessToken}.
        return ApiResult.Ok(new System.Text.Json.Nodes.JsonObject { ["url"] = connection.Url, ["accessToken"] = connection.AccessToken });
    }
}
