using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Molecule.Core.Api;

/// <summary>
/// Fixed 60-second windows per key, in memory, per instance (§0.8). Keys are a valid credential's hash
/// or the client IP, so random bearer values cannot buy fresh buckets.
/// </summary>
public sealed class RateLimiter(IOptions<PlatformOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, Bucket> buckets = new();
    private readonly int limit = options.Value.RateLimitPerMinute;
    private long lastSweepTicks;

    public readonly record struct Decision(bool Allowed, int Limit, int Remaining, int ResetSeconds);

    public Decision Hit(string key)
    {
        var now = time.GetUtcNow();
        SweepExpired(now);
        var bucket = buckets.GetOrAdd(key, _ => new Bucket(now));
        lock (bucket)
        {
            if (now >= bucket.Start + Window)
            {
                bucket.Start = now;
                bucket.Count = 0;
            }
            bucket.Count++;
            var reset = (int)Math.Max(1, Math.Ceiling((bucket.Start + Window - now).TotalSeconds));
            return new Decision(bucket.Count <= limit, limit, Math.Max(0, limit - bucket.Count), reset);
        }
    }

    private void SweepExpired(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref lastSweepTicks);
        if (now.UtcTicks - last < Window.Ticks || Interlocked.CompareExchange(ref lastSweepTicks, now.UtcTicks, last) != last) return;
        foreach (var (key, bucket) in buckets)
            if (now >= bucket.Start + Window) buckets.TryRemove(key, out _);
    }

    private sealed class Bucket(DateTimeOffset start)
    {
        public DateTimeOffset Start = start;
        public int Count;
    }
}
