using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Molecule.Core.Api;
using Molecule.Core.Storage;

namespace Molecule.Core.Plugins;

/// <summary>
/// The plugin routes (§3.11): admins publish gzip tars (validated, stored canonical in blob storage),
/// agents download them and report installs. Only admin uploads exist (local://); nothing is fetched.
/// </summary>
public sealed partial class PluginService(Tables tables, Blobs blobs, TimeProvider time)
{
    public const long MaxUpload = 50L * 1024 * 1024;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    private static ApiResult NotFound() => ApiResult.Error(404, "plugin not found");
    private static string BlobName(string name) => name + ".tar.gz";

    /// <summary>PUT /plugins/:name — the body is streamed to a temporary file (capped), validated, then stored canonical.</summary>
    public async Task<ApiResult> PublishAsync(ApiRequest call, string name)
    {
        var ct = call.Aborted;
        if (call.Http.ContentLength is > MaxUpload) return Errors.TooLarge(MaxUpload);
        // The server's own default body limit (30 MB on Kestrel) is below the contract's 50 MiB cap; this route
        // enforces the cap itself while reading, so lift the server's limit for this request (both hosts).
        if (call.Http.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxUpload + 1;
        var upload = Path.Combine(Path.GetTempPath(), $"molecule-upload-{Guid.NewGuid():N}");
        try
        {
            await using (var file = File.Create(upload))
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                try
                {
                    while ((read = await call.Http.Body.ReadAsync(buffer, ct)) > 0)
                    {
                        total += read;
                        if (total > MaxUpload) return Errors.TooLarge(MaxUpload);
                        await file.WriteAsync(buffer.AsMemory(0, read), ct);
                    }
                }
                catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == 413)
                {
                    return Errors.TooLarge(MaxUpload);
                }
            }
            var (plugin, error) = await PluginArchive.ProcessAsync(upload, name, ct);
            if (error is not null) return ApiResult.Error(400, "invalid plugin archive", detail: error);
            using (plugin)
            {
                var container = await blobs.ContainerAsync(Blobs.Plugins, ct);
                BlobContentInfo stored;
                await using (var archive = File.OpenRead(plugin!.ArchivePath))
                    stored = (await container.GetBlobClient(BlobName(name)).UploadAsync(archive, new BlobUploadOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/gzip" },
                    }, ct)).Value;
                var table = await tables.GetAsync(Tables.Plugins, ct);
                await table.UpsertEntityAsync(new PluginEntity
                {
                    RowKey = name, Version = plugin.Manifest.Version, Description = plugin.Manifest.Description, Author = plugin.Manifest.Author,
                    Tags = JsonSerializer.Serialize(plugin.Manifest.Tags), Runtimes = JsonSerializer.Serialize(plugin.Manifest.Runtimes),
                    Files = plugin.Files, Bytes = plugin.Bytes, ArchiveETag = stored.ETag.ToString(), UpdatedAt = time.GetUtcNow(),
                }, TableUpdateMode.Replace, ct);
                return ApiResult.Json(201, new JsonObject
                {
                    ["name"] = name, ["version"] = plugin.Manifest.Version, ["description"] = plugin.Manifest.Description,
                    ["files"] = plugin.Files, ["bytes"] = plugin.Bytes,
                });
            }
        }
        finally
        {
            File.Delete(upload);
        }
    }

    public async Task<ApiResult> ListAsync(ApiRequest call)
    {
        var table = await tables.GetAsync(Tables.Plugins, call.Aborted);
        var list = new List<PluginEntity>();
        await foreach (var p in table.QueryAsync<PluginEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {PluginEntity.Partition}"), cancellationToken: call.Aborted))
            list.Add(p);
        return ApiResult.Ok(new JsonArray(list.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Name, ["version"] = p.Version, ["description"] = p.Description, ["author"] = p.Author,
            ["tags"] = JsonNode.Parse(p.Tags), ["runtimes"] = JsonNode.Parse(p.Runtimes), ["updated_at"] = ApiJson.Timestamp(p.UpdatedAt),
        }).ToArray()));
    }

    public async Task<ApiResult> DeleteAsync(ApiRequest call, string name)
    {
        var ct = call.Aborted;
        var table = await tables.GetAsync(Tables.Plugins, ct);
        if (await Tables.ReadAsync<PluginEntity>(table, PluginEntity.Partition, name, ct) is null) return NotFound();
        await table.DeleteEntityAsync(PluginEntity.Partition, name, ETag.All, ct);
        await (await blobs.ContainerAsync(Blobs.Plugins, ct)).GetBlobClient(BlobName(name)).DeleteIfExistsAsync(cancellationToken: ct);
        return ApiResult.Ok(new JsonObject { ["status"] = "deleted", ["name"] = name });
    }

    /// <summary>source absent, local://&lt;name&gt; or a bare &lt;name&gt; → null; anything else → its 400.</summary>
    public static ApiResult? CheckSource(string? source, string name)
    {
        if (source is null) return null;
        var scheme = source.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return source == name ? null : ApiResult.Error(400, "source does not match plugin name");
        if (!source.StartsWith("local://", StringComparison.Ordinal))
            return ApiResult.Error(400, "unsupported plugin source", extra: b => b["available_schemes"] = new JsonArray("local"));
        return source["local://".Length..] == name ? null : ApiResult.Error(400, "source does not match plugin name");
    }

    /// <summary>The canonical archive, streamed from blob storage to the response.</summary>
    public async Task<ApiResult> DownloadAsync(ApiRequest call, string name)
    {
        if (CheckSource(call.Query("source"), name) is { } bad) return bad;
        var ct = call.Aborted;
        var table = await tables.GetAsync(Tables.Plugins, ct);
        var plugin = await Tables.ReadAsync<PluginEntity>(table, PluginEntity.Partition, name, ct);
        if (plugin is null) return NotFound();
        var blob = (await blobs.ContainerAsync(Blobs.Plugins, ct)).GetBlobClient(BlobName(name));
        BlobDownloadStreamingResult download;
        try
        {
            download = (await blob.DownloadStreamingAsync(cancellationToken: ct)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return NotFound();
        }
        return ApiResult.Streamed(200, "application/gzip", download.Details.ContentLength, async (body, token) =>
            {
                await using var content = download.Content;
                await content.CopyToAsync(body, 81920, token);
            })
            .WithHeader("Content-Disposition", $"attachment; filename=\"{name}.tar.gz\"")
            .WithHeader("X-Plugin-Name", name)
            .WithHeader("X-Plugin-Source", "local://" + name)
            .WithHeader("ETag", download.Details.ETag.ToString("H"))
            .WithHeader("Cache-Control", "private, no-cache");
    }

    /// <summary>POST /workspaces/:id/plugins {"source"} — records an install (upsert by name).</summary>
    public async Task<ApiResult> RecordInstallAsync(ApiRequest call, string workspaceId)
    {
        var f = call.Fields;
        var source = f.String("source", required: true);
        if (f.Error is { } invalid) return invalid;
        var name = source!.StartsWith("local://", StringComparison.Ordinal) ? source["local://".Length..] : source;
        if (!source.Contains("://", StringComparison.Ordinal) || source.StartsWith("local://", StringComparison.Ordinal))
        {
            if (!IsValidName(name)) return ApiResult.Error(400, "invalid plugin name");
        }
        if (CheckSource(source, name) is { } bad) return bad;
        var ct = call.Aborted;
        var plugin = await Tables.ReadAsync<PluginEntity>(await tables.GetAsync(Tables.Plugins, ct), PluginEntity.Partition, name, ct);
        if (plugin is null) return NotFound();
        var installs = await tables.GetAsync(Tables.PluginInstalls, ct);
        await installs.UpsertEntityAsync(new PluginInstallEntity
        {
            PartitionKey = workspaceId, RowKey = name, Source = "local://" + name, Version = plugin.Version, InstalledAt = time.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
        return ApiResult.Ok(new JsonObject { ["status"] = "installed", ["plugin"] = name, ["source"] = "local://" + name });
    }

    public async Task<ApiResult> ListInstallsAsync(ApiRequest call, string workspaceId)
    {
        if (call.Workspace is null) return Errors.WorkspaceNotFound();
        var installs = await tables.GetAsync(Tables.PluginInstalls, call.Aborted);
        var list = new JsonArray();
        await foreach (var i in installs.QueryAsync<PluginInstallEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {workspaceId}"), cancellationToken: call.Aborted))
            list.Add(new JsonObject { ["name"] = i.RowKey, ["source"] = i.Source, ["version"] = i.Version, ["installed_at"] = ApiJson.Timestamp(i.InstalledAt) });
        return ApiResult.Ok(list);
    }
}
