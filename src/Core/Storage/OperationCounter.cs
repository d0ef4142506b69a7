using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Molecule.Core.Storage;

/// <summary>
/// Counts every HTTP request the storage clients send (retries included, as the service bills them),
/// by table and kind, so benchmarks and tests report measured storage operations, not estimates.
/// </summary>
public sealed class OperationCounter
{
    private readonly ConcurrentDictionary<string, long> counts = new();
    private long total;

    public long Total => Interlocked.Read(ref total);

    /// <summary>
    /// An optional label for the work in progress (e.g. the route a benchmark is driving); operations
    /// recorded while it is set are also counted under "label|kind", so mixed workloads attribute exactly.
    /// </summary>
    public static readonly AsyncLocal<string?> Scope = new();

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(counts);

    public void Reset()
    {
        counts.Clear();
        Interlocked.Exchange(ref total, 0);
    }

    internal void Record(string kind)
    {
        counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
        if (Scope.Value is { } scope) counts.AddOrUpdate($"{scope}|{kind}", 1, (_, n) => n + 1);
        Interlocked.Increment(ref total);
    }

    public HttpPipelinePolicy Policy() => new CountingPolicy(this);

    /// <summary>Classifies a storage request, e.g. "workspaces:read", "workspaces:write", "workspaces:query".</summary>
    public static string Classify(Request request)
    {
        var path = request.Uri.Path.TrimStart('/');
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Azurite puts the account name first; Azure does not.
        var resource = segments.Length switch { 0 => "", _ => segments[^1] };
        var paren = resource.IndexOf('(');
        var table = paren >= 0 ? resource[..paren] : resource;
        var pointed = paren >= 0 && resource.Contains("PartitionKey=", StringComparison.Ordinal);
        var method = request.Method.ToString();
        var kind = method switch
        {
            "GET" when pointed => "read",
            "GET" => "query",
            "DELETE" => "delete",
            _ when table == "$batch" => "batch",
            _ => "write",
        };
        return $"{table}:{kind}";
    }

    private sealed class CountingPolicy(OperationCounter counter) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => counter.Record(Classify(message.Request));
    }
}
