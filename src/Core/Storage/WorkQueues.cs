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

    private readonly CreatedOnce<QueueClient> queues;

    public WorkQueues(StorageOptions options, OperationCounter counter)
    {
        var clientOptions = ClientOptions();
        clientOptions.AddPolicy(counter.Policy(), HttpPipelinePosition.PerRetry);
        var service = Service(options, clientOptions);
        queues = new CreatedOnce<QueueClient>(async name =>
        {
            var queue = service.GetQueueClient(name);
            await queue.CreateIfNotExistsAsync();
            return queue;
        });
    }

    /// <summary>The queue service from the Functions storage settings (connection string or identity-based).</summary>
    public static QueueServiceClient Service(StorageOptions options, QueueClientOptions clientOptions) =>
        options.ConnectionString is { } cs
            ? new QueueServiceClient(cs, clientOptions)
            : new QueueServiceClient(options.QueueServiceUri ?? throw new InvalidOperationException("AzureWebJobsStorage__queueServiceUri is not set"),
                Tables.CredentialFor(options), clientOptions);

    public static QueueClientOptions ClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    /// <summary>The queue, created on first use (also how LocalHost's queue runner reaches it).</summary>
    public Task<QueueClient> QueueAsync(string queue, CancellationToken ct) => queues.GetAsync(queue, ct);

    public async Task EnqueueAsync(string queue, string message, CancellationToken ct) =>
        await (await QueueAsync(queue, ct)).SendMessageAsync(message, ct);
}
