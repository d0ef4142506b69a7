namespace Molecule.Core.Storage;

/// <summary>
/// Where Table and Blob storage live. Follows the Functions conventions: a connection string in
/// <c>AzureWebJobsStorage</c> (Azurite locally), or identity-based <c>AzureWebJobsStorage__tableServiceUri</c>,
/// <c>__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__credential=managedidentity</c>, <c>__clientId</c> in Azure.
/// </summary>
public sealed record StorageOptions(
    string? ConnectionString,
    Uri? TableServiceUri,
    Uri? BlobServiceUri,
    Uri? QueueServiceUri,
    string? Credential,
    string? ClientId)
{
    public const string Section = "AzureWebJobsStorage";

    public static StorageOptions From(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        static Uri? U(string? s) => string.IsNullOrWhiteSpace(s) ? null : new Uri(s);
        return new StorageOptions(
            string.IsNullOrWhiteSpace(section.Value) ? null : section.Value,
            U(section["tableServiceUri"]), U(section["blobServiceUri"]), U(section["queueServiceUri"]),
            section["credential"], section["clientId"]);
    }

    public string? Validate() =>
        ConnectionString is null && TableServiceUri is null
            ? "AzureWebJobsStorage (connection string) or AzureWebJobsStorage__tableServiceUri must be set"
            : null;
}
