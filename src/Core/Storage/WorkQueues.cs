using System.Collections.Concurrent;
using Azure.Core;
using Azure.Storage.Queues;

namespace Molecule.Core.Storage;

/// <summary>
/// Storage queues for work that must outlive an HTTP response (a Functions instance may be frozen once the
/// response is sent). Messages are base64-encoded, the Functions queue trigger's default encoding.
/// </summary>
public sealed class WorkQueues
{
    public const string SecretPurge = "secret-purge";
    public const string DelegationDial = "delegation-dial";

    private readonly QueueServiceClient service;
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> queues = new();

    public WorkQueues(StorageOptions options, OperationCounter counter)
    {
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        clientOptions.AddPolicy(counter.Policy(), HttpPipelinePosition.PerRetry);
        service = options.ConnectionString is { } cs
            ? new QueueServiceClient(cs, clientOptions)
            : new QueueServiceClient(options.QueueServiceUri ?? throw new InvalidOperationException("AzureWebJobsStorage__queueServiceUri is not set"),
                Tables.CredentialFor(options), clientOptions);
    }

    public static QueueClientOptions ClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public async Task EnqueueAsync(string queue, string message, CancellationToken ct)
    {
        var client = await queues.GetOrAdd(queue, name => new Lazy<Task<QueueClient>>(async () =>
        {
            var q = service.GetQueueClient(name);
            try
            {
                await q.CreateIfNotExistsAsync();
            }
            catch
            {
                queues.TryRemove(name, out _); // let the next call try again
                throw;
            }
            return q;
        })).Value.WaitAsync(ct);
        await client.SendMessageAsync(message, ct);
    }
}
