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
    private readonly CreatedOnce<BlobContainerClient> containers;

    public Blobs(StorageOptions options, OperationCounter counter)
    {
        var clientOptions = new BlobClientOptions();
        clientOptions.AddPolicy(counter.Policy(), HttpPipelinePosition.PerRetry);
        service = options.ConnectionString is { } cs
            ? new BlobServiceClient(cs, clientOptions)
            : new BlobServiceClient(options.BlobServiceUri ?? throw new InvalidOperationException("AzureWebJobsStorage__blobServiceUri is not set"),
                Tables.CredentialFor(options), clientOptions);
        containers = new CreatedOnce<BlobContainerClient>(async name =>
        {
            var container = service.GetBlobContainerClient(name);
            await container.CreateIfNotExistsAsync(PublicAccessType.None);
            return container;
        });
    }

    public Task<BlobContainerClient> ContainerAsync(string name, CancellationToken ct) => containers.GetAsync(name, ct);

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
