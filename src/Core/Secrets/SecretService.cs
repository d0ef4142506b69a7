using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Molecule.Core.Api;
using Molecule.Core.Events;
using Molecule.Core.Storage;

namespace Molecule.Core.Secrets;

/// <summary>
/// The secrets routes of contract §3.7. Values go to the vault; which keys exist goes to the "secrets"
/// index table, so listing and pulling never enumerate the vault. No value ever reaches a log line, an
/// event, or any response but the owning workspace's /secrets/values.
/// </summary>
public sealed class SecretService(Tables tables, ISecretVault vault, EventPublisher events, TimeProvider time, ILogger<SecretService> logger)
{
    /// <summary>How many vault reads one pull runs at once (Key Vault allows 4,000 reads per 10 s per vault).</summary>
    public const int PullParallelism = 8;

    private static ApiResult VaultUnavailable() => ApiResult.Error(502, "secret store unavailable");
    public static ApiResult InvalidKey() => ApiResult.Error(400, "invalid secret key");
    private static ApiResult NotFound() => ApiResult.Error(404, "secret not found");

    private Task<TableClient> IndexAsync(CancellationToken ct) => tables.GetAsync(Tables.Secrets, ct);

    public async Task<List<SecretIndexEntity>> KeysAsync(string? workspaceId, CancellationToken ct)
    {
        var index = await IndexAsync(ct);
        var list = new List<SecretIndexEntity>();
        await foreach (var row in index.QueryAsync<SecretIndexEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {SecretIndexEntity.PartitionFor(workspaceId)}"), cancellationToken: ct))
            list.Add(row);
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    /// <summary>GET /workspaces/:id/secrets/values — globals merged with workspace keys, workspace wins; all or nothing.</summary>
    public async Task<ApiResult> PullAsync(ApiRequest call, string workspaceId)
    {
        var ct = call.Aborted;
        var keys = await Task.WhenAll(KeysAsync(null, ct), KeysAsync(workspaceId, ct));
        var effective = new Dictionary<string, SecretIndexEntity>(StringComparer.Ordinal);
        foreach (var row in keys[0]) effective[row.Key] = row;
        foreach (var row in keys[1]) effective[row.Key] = row;

        var values = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var failed = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(effective.Values, new ParallelOptions { MaxDegreeOfParallelism = PullParallelism, CancellationToken = ct },
            async (row, token) =>
            {
                try
                {
                    if (await vault.GetAsync(row.VaultName, token) is { } value) values[row.Key] = value;
                    else failed.Add($"{row.Scope}:{row.Key}");
                }
                catch (SecretVaultException)
                {
                    failed.Add($"{row.Scope}:{row.Key}");
                }
            });
        if (!failed.IsEmpty)
        {
            logger.LogWarning("secret pull for {WorkspaceId} failed for {Count} keys", workspaceId, failed.Count);
            var list = failed.OrderBy(f => f, StringComparer.Ordinal).Select(f => (JsonNode)f).ToArray();
            return ApiResult.Error(502, "secret store unavailable", extra: b => b["failed_keys"] = new JsonArray(list));
        }
        var body = new JsonObject();
        foreach (var key in values.Keys.Order(StringComparer.Ordinal)) body[key] = values[key];
        return ApiResult.Ok(body);
    }

    /// <summary>GET /workspaces/:id/secrets — workspace keys by key, then globals it does not override. Never values.</summary>
    public async Task<ApiResult> ListAsync(ApiRequest call, string workspaceId)
    {
        if (call.Workspace is null) return Errors.WorkspaceNotFound();
        var own = await KeysAsync(workspaceId, call.Aborted);
        var overridden = own.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var globals = (await KeysAsync(null, call.Aborted)).Where(g => !overridden.Contains(g.Key));
        return ApiResult.Ok(own.Concat(globals).Select(View).ToList());
    }

    public async Task<ApiResult> ListGlobalAsync(ApiRequest call) =>
        ApiResult.Ok((await KeysAsync(null, call.Aborted)).Select(View).ToList());

    /// <summary>POST/PUT a workspace (workspaceId set) or global secret.</summary>
    public async Task<ApiResult> SaveAsync(ApiRequest call, string? workspaceId)
    {
        var f = call.Fields;
        var key = f.String("key", required: true);
        if (key is not null && !SecretNames.IsValidKey(key)) f.Fail("key: must match ^[A-Za-z_][A-Za-z0-9_]{0,127}$");
        var value = f.String("value", required: true, maxBytes: SecretNames.MaxValueBytes);
        if (f.Error is { } invalid) return invalid;
        if (workspaceId is not null)
        {
            if (call.Workspace is null) return Errors.WorkspaceNotFound();
            if (call.Workspace.IsRemoved) return Errors.WorkspaceRemoved(call.Workspace.Id, call.Workspace.RemovedAt);
        }

        var ct = call.Aborted;
        var name = SecretNames.VaultName(workspaceId, key!);
        try
        {
            await vault.SetAsync(name, value!, Tags(workspaceId, key!), ct);
        }
        catch (SecretVaultException)
        {
            logger.LogWarning("vault write failed for {Scope} key {Key}", workspaceId is null ? "global" : "workspace", key);
            return VaultUnavailable();
        }
        var index = await IndexAsync(ct);
        var partition = SecretIndexEntity.PartitionFor(workspaceId);
        var now = time.GetUtcNow();
        var existing = await Tables.ReadAsync<SecretIndexEntity>(index, partition, key!, ct);
        await index.UpsertEntityAsync(new SecretIndexEntity
        {
            PartitionKey = partition, RowKey = key!, VaultName = name, CreatedAt = existing?.CreatedAt ?? now, UpdatedAt = now,
        }, TableUpdateMode.Replace, ct);
        await Changed(workspaceId, key!, "saved", ct);
        var body = new JsonObject { ["status"] = "saved", ["key"] = key };
        if (workspaceId is null) body["scope"] = "global";
        return ApiResult.Ok(body);
    }

    public async Task<ApiResult> DeleteAsync(ApiRequest call, string? workspaceId, string key)
    {
        if (workspaceId is not null)
        {
            if (call.Workspace is null) return Errors.WorkspaceNotFound();
            if (call.Workspace.IsRemoved) return Errors.WorkspaceRemoved(call.Workspace.Id, call.Workspace.RemovedAt);
        }
        var ct = call.Aborted;
        var index = await IndexAsync(ct);
        var row = await Tables.ReadAsync<SecretIndexEntity>(index, SecretIndexEntity.PartitionFor(workspaceId), key, ct);
        if (row is null) return NotFound();
        try
        {
            await vault.DeleteAsync(row.VaultName, ct);
        }
        catch (SecretVaultException)
        {
            logger.LogWarning("vault delete failed for {Scope} key {Key}", row.Scope, key);
            return VaultUnavailable();
        }
        try
        {
            await index.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404) { }
        await Changed(workspaceId, key, "deleted", ct);
        var body = new JsonObject { ["status"] = "deleted", ["key"] = key };
        if (workspaceId is null) body["scope"] = "global";
        return ApiResult.Ok(body);
    }

    /// <summary>
    /// Deletes every secret of a removed workspace (vault value, then index row). Returns the keys whose vault
    /// delete failed; their index rows stay so a later attempt finds them.
    /// </summary>
    public async Task<IReadOnlyList<string>> PurgeWorkspaceAsync(string workspaceId, CancellationToken ct)
    {
        var failed = new List<string>();
        var index = await IndexAsync(ct);
        foreach (var row in await KeysAsync(workspaceId, ct))
        {
            try
            {
                await vault.DeleteAsync(row.VaultName, ct);
                await index.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
                await Changed(workspaceId, row.Key, "deleted", ct);
            }
            catch (Exception e) when (e is SecretVaultException or RequestFailedException)
            {
                failed.Add(row.Key);
            }
        }
        return failed;
    }

    private Task Changed(string? workspaceId, string key, string action, CancellationToken ct) =>
        events.PublishAsync(EventNames.SecretsChanged, workspaceId, new JsonObject
        {
            ["scope"] = workspaceId is null ? "global" : "workspace", ["key"] = key, ["action"] = action,
        }, ct);

    private static Dictionary<string, string> Tags(string? workspaceId, string key) => new()
    {
        ["scope"] = workspaceId is null ? "global" : "workspace",
        ["workspace"] = workspaceId ?? "",
        ["key"] = key,
    };

    private static SecretView View(SecretIndexEntity row) => new(row.Key, row.Scope, row.CreatedAt, row.UpdatedAt);

    private sealed record SecretView(string Key, string Scope, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
}
