using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Molecule.Core.Events;
using Molecule.Core.Secrets;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Secrets;

/// <summary>
/// The secrets routes on the real KeyVaultSecretVault (SecretClient over HTTPS) against <see cref="KeyVault.TestKeyVault"/>:
/// contract §3.7 (pull all or nothing, 502 bodies) and §3.3.5 (removal never blocked by the vault; leftovers purged later).
/// Each test has its own Azurite, vault and platform (faults and globals must not leak between tests).
/// </summary>
public sealed class KeyVaultPullTests
{
    private static Task<IsolatedPlatform> StartAsync() => IsolatedPlatform.StartWithKeyVaultAsync();

    [Fact]
    public async Task The_whole_flow_works_through_the_real_SecretClient()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-flow");

        await platform.SavedGlobalAsync("G_ONE", "global-one");
        await platform.SavedGlobalAsync("SHARED", "from-global");
        await platform.SavedAsync(ws.Id, "SHARED", "from-workspace");
        (await platform.SaveAsync(ws.Id, "OWN", "own-value", bearer: ws.Token, method: HttpMethod.Put)).AssertStatus(200);
        var pull = await platform.PullAsync(ws.Id, ws.Token);
        var list = await platform.ListAsync(ws.Id, ws.Token);
        var deleted = await platform.DeleteAsync(ws.Id, "SHARED", bearer: ws.Token);
        var pullAfterDelete = await platform.PullAsync(ws.Id, ws.Token);
        var resaved = await platform.SaveAsync(ws.Id, "SHARED", "workspace-again");
        var pullAfterResave = await platform.PullAsync(ws.Id, ws.Token);
        var globalDeleted = await platform.DeleteGlobalAsync("G_ONE");
        var finalPull = await platform.PullAsync(ws.Id, ws.Token);

        pull.AssertBody(200, new JsonObject { ["G_ONE"] = "global-one", ["OWN"] = "own-value", ["SHARED"] = "from-workspace" });
        list.AssertStatus(200);
        Assert.Equal(["OWN:workspace", "SHARED:workspace", "G_ONE:global"],
            list.Array.Select(e => $"{e!["key"]}:{e["scope"]}"));
        deleted.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = "SHARED" });
        Assert.Equal(1, vault.CountRequests("DELETE", SecretsApi.VaultPath(ws.Id, "SHARED")));
        pullAfterDelete.AssertBody(200, new JsonObject { ["G_ONE"] = "global-one", ["OWN"] = "own-value", ["SHARED"] = "from-global" });
        resaved.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = "SHARED" });
        pullAfterResave.AssertBody(200, new JsonObject { ["G_ONE"] = "global-one", ["OWN"] = "own-value", ["SHARED"] = "workspace-again" });
        Assert.Equal(1, vault.CountRequests("POST", $"/deletedsecrets/{SecretNames.VaultName(ws.Id, "SHARED")}/recover"));
        globalDeleted.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = "G_ONE", ["scope"] = "global" });
        finalPull.AssertBody(200, new JsonObject { ["OWN"] = "own-value", ["SHARED"] = "workspace-again" });
        Assert.True(vault.CountRequests("PUT", SecretsApi.VaultPath(null, "G_ONE")) >= 1);
        Assert.Equal(0, vault.CountRequests("GET", "/secrets")); // never enumerates the vault
    }

    [Fact]
    public async Task A_pull_reads_one_vault_secret_per_effective_key_and_never_the_overridden_global()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-reads");
        await platform.SavedGlobalAsync("SHARED", "from-global");
        await platform.SavedAsync(ws.Id, "SHARED", "from-workspace");

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        pull.AssertBody(200, new JsonObject { ["SHARED"] = "from-workspace" });
        Assert.Equal(1, vault.CountRequests("GET", SecretsApi.VaultPath(ws.Id, "SHARED")));
        Assert.Equal(0, vault.CountRequests("GET", SecretsApi.VaultPath(null, "SHARED")));
    }

    [Fact]
    public async Task A_read_failure_of_one_key_is_502_naming_it_and_never_a_partial_map()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-read-fail");
        await platform.SavedGlobalAsync("G_FINE", "fine-global");
        await platform.SavedAsync(ws.Id, "FINE", "fine-value");
        await platform.SavedAsync(ws.Id, "KEY", "unreadable-value");
        vault.FailReadsOf(SecretNames.VaultName(ws.Id, "KEY"));

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        pull.AssertBody(502, new JsonObject { ["error"] = "secret store unavailable", ["failed_keys"] = new JsonArray("workspace:KEY") });
        Assert.DoesNotContain("fine-value", pull.Text);
        Assert.DoesNotContain("fine-global", pull.Text);
    }

    [Fact]
    public async Task Read_failures_of_a_global_and_a_workspace_key_are_listed_by_scope_in_order()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-read-fail-2");
        await platform.SavedGlobalAsync("KEY", "global-value");
        await platform.SavedAsync(ws.Id, "KEY2", "workspace-value");
        await platform.SavedAsync(ws.Id, "FINE", "fine-value");
        vault.FailReadsOf(SecretNames.VaultName(null, "KEY"));
        vault.FailReadsOf(SecretNames.VaultName(ws.Id, "KEY2"));

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        pull.AssertBody(502, new JsonObject
        {
            ["error"] = "secret store unavailable", ["failed_keys"] = new JsonArray("global:KEY", "workspace:KEY2"),
        });
    }

    [Fact]
    public async Task A_key_whose_value_is_missing_from_the_vault_fails_the_pull()
    {
        await using var isolated = await StartAsync();
        var platform = isolated.Platform;
        var ws = await platform.CreateClaimedAsync("kv-missing");
        await platform.SavedAsync(ws.Id, "FINE", "fine-value");
        await platform.SavedAsync(ws.Id, "GONE", "gone-value");
        // The value disappears behind the index's back (deleted in the vault directly).
        await platform.Services.GetRequiredService<ISecretVault>().DeleteAsync(SecretNames.VaultName(ws.Id, "GONE"), CancellationToken.None);

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        pull.AssertBody(502, new JsonObject { ["error"] = "secret store unavailable", ["failed_keys"] = new JsonArray("workspace:GONE") });
    }

    [Fact]
    public async Task A_429_with_Retry_After_on_one_key_is_retried_and_the_pull_succeeds()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-throttled");
        await platform.SavedGlobalAsync("G_OK", "global-ok");
        await platform.SavedAsync(ws.Id, "THROTTLED", "throttled-value");
        await platform.SavedAsync(ws.Id, "OK", "ok-value");
        vault.FailNext(1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1, path: SecretsApi.VaultPath(ws.Id, "THROTTLED"));
        var stopwatch = Stopwatch.StartNew();

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        pull.AssertBody(200, new JsonObject { ["G_OK"] = "global-ok", ["OK"] = "ok-value", ["THROTTLED"] = "throttled-value" });
        Assert.Equal(2, vault.CountRequests("GET", SecretsApi.VaultPath(ws.Id, "THROTTLED")));
        Assert.Equal(1, vault.CountRequests("GET", SecretsApi.VaultPath(ws.Id, "OK")));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900), $"pulled in {stopwatch.Elapsed}, before Retry-After");
    }

    [Fact]
    public async Task A_vault_write_failure_is_502_and_leaves_no_index_row()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-write-fail");
        await platform.SavedAsync(ws.Id, "WARM", "warm"); // the bearer challenge is behind us
        vault.FailNext(4, HttpStatusCode.ServiceUnavailable, path: SecretsApi.VaultPath(ws.Id, "REFUSED")); // first try + 3 retries

        var response = await platform.SaveAsync(ws.Id, "REFUSED", "refused-value", bearer: ws.Token);

        response.AssertBody(502, new JsonObject { ["error"] = "secret store unavailable" });
        Assert.Equal(4, vault.CountRequests("PUT", SecretsApi.VaultPath(ws.Id, "REFUSED")));
        Assert.Empty((await platform.ListAsync(ws.Id)).Only("REFUSED"));
        (await platform.PullAsync(ws.Id, ws.Token)).AssertBody(200, new JsonObject { ["WARM"] = "warm" });
        Assert.Empty(platform.SecretEvents(ws.Id, "REFUSED"));
    }

    [Fact]
    public async Task A_global_vault_write_failure_is_502_and_leaves_no_index_row()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        await platform.SavedGlobalAsync("WARM", "warm");
        vault.FailNext(4, HttpStatusCode.ServiceUnavailable, path: SecretsApi.VaultPath(null, "REFUSED"));

        var response = await platform.SaveGlobalAsync("REFUSED", "refused-value");

        response.AssertBody(502, new JsonObject { ["error"] = "secret store unavailable" });
        Assert.DoesNotContain("REFUSED", await platform.GlobalKeysAsync());
        Assert.Empty(platform.SecretEvents(null, "REFUSED"));
    }

    [Fact]
    public async Task A_failed_update_keeps_the_previous_value_and_timestamps()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-update-fail");
        await platform.SavedAsync(ws.Id, "KEY", "first");
        var before = Assert.Single((await platform.ListAsync(ws.Id)).Only("KEY"));
        vault.FailNext(4, HttpStatusCode.ServiceUnavailable, path: SecretsApi.VaultPath(ws.Id, "KEY"));

        var response = await platform.SaveAsync(ws.Id, "KEY", "second", method: HttpMethod.Put);

        response.AssertBody(502, new JsonObject { ["error"] = "secret store unavailable" });
        ApiClient.AssertJson(before, Assert.Single((await platform.ListAsync(ws.Id)).Only("KEY")));
        (await platform.PullAsync(ws.Id, ws.Token)).AssertBody(200, new JsonObject { ["KEY"] = "first" });
    }

    [Fact]
    public async Task A_vault_delete_failure_is_502_and_the_key_stays()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-delete-fail");
        await platform.SavedAsync(ws.Id, "KEY", "kept");
        vault.FailNext(4, HttpStatusCode.ServiceUnavailable, path: SecretsApi.VaultPath(ws.Id, "KEY"));

        var response = await platform.DeleteAsync(ws.Id, "KEY", bearer: ws.Token);

        response.AssertBody(502, new JsonObject { ["error"] = "secret store unavailable" });
        Assert.Single((await platform.ListAsync(ws.Id)).Only("KEY"));
        (await platform.PullAsync(ws.Id, ws.Token)).AssertBody(200, new JsonObject { ["KEY"] = "kept" });
        Assert.DoesNotContain(platform.SecretEvents(ws.Id, "KEY"), e => e.Payload["action"]!.GetValue<string>() == "deleted");
    }

    [Fact]
    public async Task Removal_succeeds_while_the_vault_fails_and_the_purge_deletes_the_leftovers_once_it_recovers()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-removal");
        await platform.SavedAsync(ws.Id, "A_KEY", "a");
        await platform.SavedAsync(ws.Id, "B_KEY", "b");
        await platform.SavedGlobalAsync("G_STAYS", "g");
        // Purge runs key by key in key order, each delete tried 4 times (first try + 3 retries).
        vault.FailNext(4, HttpStatusCode.ServiceUnavailable, path: SecretsApi.VaultPath(ws.Id, "A_KEY"));
        vault.FailNext(4, HttpStatusCode.ServiceUnavailable, path: SecretsApi.VaultPath(ws.Id, "B_KEY"));

        var removal = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{ws.Id}");

        removal.AssertBody(200, new JsonObject { ["status"] = "removed", ["cascade_deleted"] = 0 });
        Assert.Equal("removed", (await platform.GetAsAdminAsync(ws.Id))["status"]!.GetValue<string>());
        Assert.Equal(4, vault.CountRequests("DELETE", SecretsApi.VaultPath(ws.Id, "A_KEY")));
        Assert.Equal(4, vault.CountRequests("DELETE", SecretsApi.VaultPath(ws.Id, "B_KEY")));

        var handled = await platform.Services.GetRequiredService<QueueFunctions>().DrainAsync("SecretPurge", CancellationToken.None);

        Assert.True(handled >= 1, "no purge message was queued");
        var list = await platform.ListAsync(ws.Id);
        list.AssertStatus(200);
        Assert.DoesNotContain(list.Array, e => e!["scope"]!.GetValue<string>() == "workspace");
        Assert.Single(list.Only("G_STAYS"));
        Assert.Equal(5, vault.CountRequests("DELETE", SecretsApi.VaultPath(ws.Id, "A_KEY")));
        Assert.Equal(5, vault.CountRequests("DELETE", SecretsApi.VaultPath(ws.Id, "B_KEY")));
        Assert.True(vault.IsDeleted(SecretNames.VaultName(ws.Id, "A_KEY")));
        Assert.True(vault.IsDeleted(SecretNames.VaultName(ws.Id, "B_KEY")));
        Assert.False(vault.IsDeleted(SecretNames.VaultName(null, "G_STAYS")));
        foreach (var key in new[] { "A_KEY", "B_KEY" })
            ApiClient.AssertJson(SecretsApi.Changed("workspace", key, "deleted"),
                Assert.Single(platform.SecretEvents(ws.Id, key), e => e.Payload["action"]!.GetValue<string>() == "deleted").Payload);
    }

    [Fact]
    public async Task Removal_with_a_healthy_vault_deletes_the_secrets_at_once_and_queues_nothing()
    {
        await using var isolated = await StartAsync();
        var (platform, vault) = (isolated.Platform, isolated.Vault!);
        var ws = await platform.CreateClaimedAsync("kv-removal-ok");
        await platform.SavedAsync(ws.Id, "KEY", "v");

        await platform.RemoveAsync(ws.Id);

        Assert.True(vault.IsDeleted(SecretNames.VaultName(ws.Id, "KEY")));
        var list = await platform.ListAsync(ws.Id);
        Assert.DoesNotContain(list.Array, e => e!["scope"]!.GetValue<string>() == "workspace");
        Assert.Equal(0, await platform.Services.GetRequiredService<QueueFunctions>().DrainAsync("SecretPurge", CancellationToken.None));
    }
}
