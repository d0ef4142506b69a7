using System.Collections.Concurrent;
using Molecule.Core.Events;

namespace Molecule.Tests.Integration.Infrastructure;

/// <summary>Captures every canvas event the platform publishes.</summary>
public sealed class RecordingEvents : ICanvasEvents
{
    private readonly ConcurrentQueue<CanvasEvent> events = new();

    /// <summary>Where events go after being recorded (the platform's real transport), if anywhere.</summary>
    public ICanvasEvents? Forward { get; set; }

    public Task PublishAsync(CanvasEvent canvasEvent, CancellationToken cancellationToken)
    {
        events.Enqueue(canvasEvent);
        return Forward?.PublishAsync(canvasEvent, cancellationToken) ?? Task.CompletedTask;
    }

    public IReadOnlyList<CanvasEvent> All => events.ToList();

    public IReadOnlyList<CanvasEvent> For(string workspaceId) => events.Where(e => e.WorkspaceId == workspaceId).ToList();

    public IReadOnlyList<CanvasEvent> For(string workspaceId, string name) =>
        events.Where(e => e.WorkspaceId == workspaceId && e.Event == name).ToList();
}
