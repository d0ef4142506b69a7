using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace Molecule.LocalHost;

/// <summary>Fires every timer trigger of functions.metadata on its six-field NCRONTAB schedule (seconds first).</summary>
public sealed class TimerFunctions(IServiceProvider services, IReadOnlyList<FunctionDescriptor> functions, TimeProvider time, ILogger<TimerFunctions> logger, bool enabled)
    : BackgroundService
{
    private readonly Dictionary<string, (MethodInfo Method, CrontabSchedule Schedule)> timers =
        functions.Where(f => f.TriggerType == "timerTrigger").ToDictionary(
            f => f.Name,
            f => (f.ResolveMethod(), CrontabSchedule.Parse(f.Schedule!, new CrontabSchedule.ParseOptions { IncludingSeconds = true })));

    public IReadOnlyCollection<string> Names => timers.Keys;

    /// <summary>Runs one timer function now, as a scheduled firing would (tests call this).</summary>
    public async Task RunAsync(string name, CancellationToken cancellationToken)
    {
        var (method, schedule) = timers[name];
        await using var scope = services.CreateAsyncScope();
        var instance = method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, method.DeclaringType!);
        var now = time.GetLocalNow().DateTime;
        var info = new TimerInfo
        {
            IsPastDue = false,
            ScheduleStatus = new ScheduleStatus { Last = now, Next = schedule.GetNextOccurrence(now), LastUpdated = now },
        };
        var arguments = method.GetParameters().Select(p =>
            p.ParameterType == typeof(TimerInfo) ? info
            : p.ParameterType == typeof(CancellationToken) ? (object)cancellationToken
            : throw new NotSupportedException($"LocalHost cannot bind timer parameter {p.Name}")).ToArray();
        try
        {
            if (method.Invoke(instance, arguments) is Task task) await task;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!enabled) return Task.CompletedTask;
        return Task.WhenAll(timers.Keys.Select(name => LoopAsync(name, stoppingToken)));
    }

    private async Task LoopAsync(string name, CancellationToken stoppingToken)
    {
        var schedule = timers[name].Schedule;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetLocalNow().DateTime;
            var delay = schedule.GetNextOccurrence(now) - now;
            try
            {
                await Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, time, stoppingToken);
                await RunAsync(name, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogError(e, "timer function {Function} failed", name);
            }
        }
    }
}
