using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Molecule.Core.Events;

/// <summary>The envelope of contract §4. Payloads never carry tokens, hashes or secret values.</summary>
public sealed record CanvasEvent(string Event, string? WorkspaceId, DateTimeOffset Timestamp, JsonObject Payload);

public static class EventNames
{
    public const string WorkspaceAwaitingAgent = "WORKSPACE_AWAITING_AGENT";
    public const string WorkspaceOnline = "WORKSPACE_ONLINE";
    public const string WorkspaceDegraded = "WORKSPACE_DEGRADED";
    public const string WorkspaceOffline = "WORKSPACE_OFFLINE";
    public const string WorkspacePaused = "WORKSPACE_PAUSED";
    public const string WorkspaceRemoved = "WORKSPACE_REMOVED";
    public const string WorkspaceUpdated = "WORKSPACE_UPDATED";
    public const string AgentCardUpdated = "AGENT_CARD_UPDATED";
    public const string TaskUpdated = "TASK_UPDATED";
    public const string SecretsChanged = "SECRETS_CHANGED";
    public const string ActivityLogged = "ACTIVITY_LOGGED";
    public const string AgentMessage = "AGENT_MESSAGE";
    public const string A2AResponse = "A2A_RESPONSE";
    public const string DelegationSent = "DELEGATION_SENT";
    public const string DelegationComplete = "DELEGATION_COMPLETE";
    public const string DelegationFailed = "DELEGATION_FAILED";
}

/// <summary>The one way anything reaches the canvas. Delivery is best-effort and at most once.</summary>
public interface ICanvasEvents
{
    Task PublishAsync(CanvasEvent canvasEvent, CancellationToken cancellationToken);
}

/// <summary>Used until a realtime transport is configured: events are logged (by name and workspace only).</summary>
public sealed class LoggingCanvasEvents(ILogger<LoggingCanvasEvents> logger) : ICanvasEvents
{
    public Task PublishAsync(CanvasEvent canvasEvent, CancellationToken cancellationToken)
    {
        logger.LogInformation("canvas event {Event} for {WorkspaceId}", canvasEvent.Event, canvasEvent.WorkspaceId);
        return Task.CompletedTask;
    }
}

/// <summary>Publishes without ever failing the request that caused the event (best-effort delivery).</summary>
public sealed class EventPublisher(ICanvasEvents sink, TimeProvider time, ILogger<EventPublisher> logger)
{
    public async Task PublishAsync(string name, string? workspaceId, JsonObject payload, CancellationToken cancellationToken)
    {
        try
        {
            await sink.PublishAsync(new CanvasEvent(name, workspaceId, time.GetUtcNow(), payload), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("canvas event {Event} for {WorkspaceId} not delivered: {Type}", name, workspaceId, e.GetType().Name);
        }
    }
}
