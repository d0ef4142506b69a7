using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Molecule.Core.Storage;

/// <summary>Blob containers of the platform (large activity bodies; plugin archives later).</summary>
public sealed class Blobs
{
    public const string ActivityBodies = "activity-bodies";
    public const string Plugins = "plugins";

    private readonly BlobServiceClient service;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> containers = new();

    public Blobs(StorageOptions options, OperationCounter counter)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.AddPolicy(counter.Policy(), HttpPipelinePosition.PerRetry);
        service = options.ConnectionString is { } cs
            ? new BlobServiceClient(cs, clientOptions)
            : new BlobServiceClient(options.BlobServiceUri ?? throw new InvalidOperationException("AzureWebJobsStorage__blobServiceUri is not set"),
                Tables.CredentialFor(options), clientOptions);
    }

    public Task<BlobContainerClient> ContainerAsync(string name, CancellationToken ct) =>
        containers.GetOrAdd(name, n => new Lazy<Task<BlobContainerClient>>(async () =>
        {
            var container = service.GetBlobContainerClient(n);
            try
            {
                await container.CreateIfNotExistsAsync(PublicAccessType.None);
            }
            catch
            {
                containers.TryRemove(n, out _);
                throw;
            }
            return container;
        })).Value.WaitAsync(ct);

    public async Task WriteAsync(string container, string name, string text, CancellationToken ct) =>
        await (await ContainerAsync(container, ct)).GetBlobClient(name).UploadAsync(BinaryData.FromString(text), overwrite: true, ct);

    public async Task<string?> ReadAsync(string container, string name, CancellationToken ct)
    {
        try
        {
            var content = await (await ContainerAsync(container, ct)).GetBlobClient(name).DownloadContentAsync(ct);
            return content.Value.Content.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
    }
}
