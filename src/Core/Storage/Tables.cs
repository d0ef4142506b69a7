using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace Molecule.Core.Storage;

/// <summary>
/// The platform's tables. Each table is created once per process on first use; every client carries
/// the <see cref="OperationCounter"/> policy.
/// </summary>
public sealed class Tables
{
    public const string Workspaces = "workspaces";
    public const string TokenHashes = "tokenhashes";
    public const string Hierarchy = "hierarchy";
    public const string Secrets = "secrets";
    public const string Activity = "activity";
    public const string Delegations = "delegations";
    public const string Plugins = "plugins";
    public const string PluginInstalls = "plugininstalls";

    private readonly TableServiceClient service;
    private readonly CreatedOnce<TableClient> clients;

    public Tables(StorageOptions options, OperationCounter counter, TokenCredential? credential = null)
    {
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(counter.Policy(), HttpPipelinePosition.PerRetry);
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(20);
        service = options.ConnectionString is { } cs
            ? new TableServiceClient(cs, clientOptions)
            : new TableServiceClient(options.TableServiceUri!, credential ?? CredentialFor(options), clientOptions);
        clients = new CreatedOnce<TableClient>(async name =>
        {
            var client = service.GetTableClient(name);
            await client.CreateIfNotExistsAsync();
            return client;
        });
    }

    public static TokenCredential CredentialFor(StorageOptions options) =>
        string.Equals(options.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(options.ClientId is { Length: > 0 } id ? ManagedIdentityId.FromUserAssignedClientId(id) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();

    public Task<TableClient> GetAsync(string name, CancellationToken cancellationToken) => clients.GetAsync(name, cancellationToken);

    /// <summary>Point read that answers null for 404 instead of throwing.</summary>
    public static async Task<T?> ReadAsync<T>(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var response = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    public static bool IsConflict(RequestFailedException e) => e.Status is 409 or 412;
}
