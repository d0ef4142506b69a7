using System.Reflection;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Molecule.Core.Storage;

namespace Molecule.LocalHost;

/// <summary>
/// Runs every queue trigger of functions.metadata against Azurite's queues, the way the Functions host
/// does: base64 messages, one invocation per message, delete on success, retry after a short visibility
/// delay on failure, and after 5 dequeues move the message to "&lt;queue&gt;-poison".
/// </summary>
public sealed class QueueFunctions(IServiceProvider services, IReadOnlyList<FunctionDescriptor> functions, WorkQueues queues,
    ILogger<QueueFunctions> logger, bool enabled) : BackgroundService
{
    public const int MaxDequeueCount = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly List<(string Name, string Queue, MethodInfo Method)> triggers = functions
        .Where(f => f.TriggerType == "queueTrigger")
        .Select(f => (f.Name, f.Trigger.GetProperty("queueName").GetString()!, f.ResolveMethod()))
        .ToList();

    public IReadOnlyCollection<string> Names => triggers.Select(t => t.Name).ToList();

    /// <summary>Processes what is in one function's queue now; returns how many messages it handled (tests call this).</summary>
    public async Task<int> DrainAsync(string name, CancellationToken ct)
    {
        var (_, queueName, method) = triggers.Single(t => t.Name == name);
        var queue = await queues.QueueAsync(queueName, ct);
        var handled = 0;
        while (true)
        {
            QueueMessage[] messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(30), ct)).Value;
            if (messages.Length == 0) return handled;
            foreach (var message in messages)
            {
                await HandleAsync(queue, queueName, method, message, ct);
                handled++;
            }
        }
    }

    private async Task HandleAsync(QueueClient queue, string queueName, MethodInfo method, QueueMessage message, CancellationToken ct)
    {
        try
        {
            await InvokeAsync(method, message, ct);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("queue function for {Queue} failed (dequeue {Count}): {Type}", queueName, message.DequeueCount, (e.InnerException ?? e).GetType().Name);
            if (message.DequeueCount >= MaxDequeueCount)
            {
                var poison = await queues.QueueAsync(queueName + "-poison", ct);
                await poison.SendMessageAsync(message.Body, cancellationToken: ct);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: RetryDelay, cancellationToken: ct);
            }
        }
    }

    private async Task InvokeAsync(MethodInfo method, QueueMessage message, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, method.DeclaringType!);
        var arguments = method.GetParameters().Select(p =>
            p.ParameterType == typeof(string) ? message.Body.ToString()
            : p.ParameterType == typeof(BinaryData) ? message.Body
            : p.ParameterType == typeof(byte[]) ? message.Body.ToArray()
            : p.ParameterType == typeof(QueueMessage) ? message
            : p.ParameterType == typeof(CancellationToken) ? (object)ct
            : throw new NotSupportedException($"LocalHost cannot bind queue parameter {p.Name}")).ToArray();
        try
        {
            if (method.Invoke(instance, arguments) is Task task) await task;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        enabled ? Task.WhenAll(triggers.Select(t => PollAsync(t.Name, stoppingToken))) : Task.CompletedTask;

    private async Task PollAsync(string name, CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var handled = await DrainAsync(name, stoppingToken);
                idle = handled > 0 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(Math.Min(idle.TotalMilliseconds * 2, 1000));
                await Task.Delay(idle, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning("polling the queue of {Function} failed: {Type}", name, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { });
            }
        }
    }
}
