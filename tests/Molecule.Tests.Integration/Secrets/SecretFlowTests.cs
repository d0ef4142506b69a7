using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Core.Secrets;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;
using Agent = Molecule.Tests.Integration.Registry.Agent;

namespace Molecule.Tests.Integration.Secrets;

/// <summary>
/// The secrets flow on LocalHost's local store (contract §3.7, §3.3.5, §4): admin and agent save, the agent
/// pulls the merged map, list order and fields, timestamps, delete, global routes, restart, workspace removal.
/// </summary>
public sealed class SecretFlowTests(IsolatedPlatformFixture fixture) : IClassFixture<IsolatedPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static readonly string[] ListFields = ["created_at", "key", "scope", "updated_at"]; // sorted

    [Fact]
    public async Task The_agent_pulls_globals_merged_with_its_workspace_keys()
    {
        var ws = await platform.CreateClaimedAsync("puller");
        var global = SecretsApi.UniqueKey("G");
        var own = SecretsApi.UniqueKey("W");
        await platform.SavedGlobalAsync(global, "global-value");
        await platform.SavedAsync(ws.Id, own, "workspace-value");

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        await platform.AssertPullAsync(pull, new Dictionary<string, string> { [global] = "global-value", [own] = "workspace-value" });
        Assert.StartsWith("application/json", pull.Header("Content-Type"));
    }

    [Fact]
    public async Task A_workspace_key_overrides_the_global_key_of_the_same_name()
    {
        var ws = await platform.CreateClaimedAsync("override");
        var other = await platform.CreateClaimedAsync("not-overriding");
        var key = SecretsApi.UniqueKey("SHARED");
        await platform.SavedGlobalAsync(key, "from-global");
        await platform.SavedAsync(ws.Id, key, "from-workspace");

        var pull = await platform.PullAsync(ws.Id, ws.Token);
        var otherPull = await platform.PullAsync(other.Id, other.Token);

        await platform.AssertPullAsync(pull, new Dictionary<string, string> { [key] = "from-workspace" });
        await platform.AssertPullAsync(otherPull, new Dictionary<string, string> { [key] = "from-global" });
    }

    [Fact]
    public async Task A_pull_with_no_secrets_at_all_is_an_empty_object()
    {
        // The global scope of the class platform holds other tests' keys, so this one runs where no global exists.
        await using var isolated = await IsolatedPlatform.StartAsync();
        var ws = await isolated.Platform.CreateClaimedAsync("empty");

        var pull = await isolated.Platform.PullAsync(ws.Id, ws.Token);

        pull.AssertBody(200, new JsonObject());
        Assert.Equal("{}", pull.Text);
    }

    [Fact]
    public async Task A_workspace_without_keys_pulls_only_globals()
    {
        var ws = await platform.CreateClaimedAsync("only-globals");
        var global = SecretsApi.UniqueKey("G");
        await platform.SavedGlobalAsync(global, "g");

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        await platform.AssertPullAsync(pull, new Dictionary<string, string> { [global] = "g" });
        var globals = await platform.GlobalKeysAsync();
        Assert.All(pull.Object, p => Assert.Contains(p.Key, globals));
    }

    [Fact]
    public async Task The_list_has_workspace_keys_by_key_then_the_globals_not_overridden_and_never_values()
    {
        var ws = await platform.CreateClaimedAsync("lister");
        var s = Guid.NewGuid().ToString("N");
        // Ordinal order: 'A' (0x41) < 'Z' (0x5A) < '_' (0x5F) < 'b' (0x62).
        string[] workspaceKeys = [$"b_{s}", $"A_{s}", $"__{s}", $"Z_{s}"];
        var overridden = $"Z_{s}";
        var globalOnly1 = $"a_glob_{s}";
        var globalOnly2 = $"Y_glob_{s}";
        foreach (var key in workspaceKeys) await platform.SavedAsync(ws.Id, key, "v-" + key);
        await platform.SavedGlobalAsync(overridden, "global-z");
        await platform.SavedGlobalAsync(globalOnly1, "global-a");
        await platform.SavedGlobalAsync(globalOnly2, "global-y");

        var list = await platform.ListAsync(ws.Id);

        list.AssertStatus(200);
        var entries = list.Array.Select(e => e!.AsObject()).ToList();
        var scopes = entries.Select(e => e["scope"]!.GetValue<string>()).ToList();
        Assert.Equal(scopes.OrderBy(x => x == "global" ? 1 : 0), scopes); // every workspace entry precedes every global one
        var own = entries.Where(e => e["scope"]!.GetValue<string>() == "workspace").Select(e => e["key"]!.GetValue<string>()).ToList();
        Assert.Equal([$"A_{s}", $"Z_{s}", $"__{s}", $"b_{s}"], own);
        var globals = entries.Where(e => e["scope"]!.GetValue<string>() == "global").Select(e => e["key"]!.GetValue<string>()).ToList();
        Assert.Equal(globals.Order(StringComparer.Ordinal), globals);
        Assert.Equal([globalOnly2, globalOnly1], globals.Where(k => k.EndsWith(s, StringComparison.Ordinal)));
        Assert.Single(entries, e => e["key"]!.GetValue<string>() == overridden);
        Assert.All(entries, e => Assert.Equal(ListFields, e.Select(p => p.Key).Order()));
        Assert.All(entries, e => Assert.Matches(SecretsApi.TimestampPattern, e["created_at"]!.GetValue<string>()));
        Assert.All(entries, e => Assert.Matches(SecretsApi.TimestampPattern, e["updated_at"]!.GetValue<string>()));
        Assert.DoesNotContain("\"value\"", list.Text);
        Assert.DoesNotContain("v-", list.Text);
        Assert.DoesNotContain("global-", list.Text);
    }

    [Fact]
    public async Task The_list_of_a_workspace_without_keys_has_only_globals()
    {
        var ws = await platform.CreateClaimedAsync("no-keys");
        var global = SecretsApi.UniqueKey("G");
        await platform.SavedGlobalAsync(global, "g");

        var list = await platform.ListAsync(ws.Id, ws.Token);

        list.AssertStatus(200);
        Assert.All(list.Array, e => Assert.Equal("global", e!["scope"]!.GetValue<string>()));
        Assert.Single(list.Only(global));
    }

    [Fact]
    public async Task POST_and_PUT_both_save()
    {
        var ws = await platform.CreateClaimedAsync("methods");
        var posted = SecretsApi.UniqueKey("POSTED");
        var put = SecretsApi.UniqueKey("PUT");

        var viaPost = await platform.SaveAsync(ws.Id, posted, "p1", method: HttpMethod.Post);
        var viaPut = await platform.SaveAsync(ws.Id, put, "p2", method: HttpMethod.Put);

        viaPost.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = posted });
        viaPut.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = put });
        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [posted] = "p1", [put] = "p2" });
    }

    [Fact]
    public async Task PUT_replaces_the_value_of_an_existing_key()
    {
        var ws = await platform.CreateClaimedAsync("replace");
        var key = SecretsApi.UniqueKey();
        await platform.SavedAsync(ws.Id, key, "first");

        var response = await platform.SaveAsync(ws.Id, key, "second", method: HttpMethod.Put);

        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [key] = "second" });
        Assert.Single((await platform.ListAsync(ws.Id)).Only(key));
    }

    [Fact]
    public async Task Saving_again_keeps_created_at_and_moves_updated_at()
    {
        var ws = await platform.CreateClaimedAsync("timestamps");
        var key = SecretsApi.UniqueKey();
        await platform.SavedAsync(ws.Id, key, "first");
        var before = Assert.Single((await platform.ListAsync(ws.Id)).Only(key));
        await Task.Delay(50);

        await platform.SavedAsync(ws.Id, key, "second");

        var after = Assert.Single((await platform.ListAsync(ws.Id)).Only(key));
        Assert.Equal(before["created_at"]!.GetValue<string>(), after["created_at"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(after["updated_at"]!.GetValue<string>()) > DateTimeOffset.Parse(before["updated_at"]!.GetValue<string>()),
            $"updated_at did not move: {before} then {after}");
    }

    [Fact]
    public async Task Saving_a_global_again_keeps_created_at_and_moves_updated_at()
    {
        var key = SecretsApi.UniqueKey("G");
        await platform.SavedGlobalAsync(key, "first");
        var before = Assert.Single((await platform.ListGlobalAsync()).Only(key));
        await Task.Delay(50);

        await platform.SavedGlobalAsync(key, "second");

        var after = Assert.Single((await platform.ListGlobalAsync()).Only(key));
        Assert.Equal(before["created_at"]!.GetValue<string>(), after["created_at"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(after["updated_at"]!.GetValue<string>()) > DateTimeOffset.Parse(before["updated_at"]!.GetValue<string>()),
            $"updated_at did not move: {before} then {after}");
    }

    [Fact]
    public async Task Delete_answers_deleted_then_the_key_is_gone()
    {
        var ws = await platform.CreateClaimedAsync("deleter");
        var key = SecretsApi.UniqueKey();
        var kept = SecretsApi.UniqueKey("KEPT");
        await platform.SavedAsync(ws.Id, key, "doomed");
        await platform.SavedAsync(ws.Id, kept, "kept");

        var response = await platform.DeleteAsync(ws.Id, key);

        response.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = key });
        Assert.Empty((await platform.ListAsync(ws.Id)).Only(key));
        var pull = await platform.PullAsync(ws.Id, ws.Token);
        await platform.AssertPullAsync(pull, new Dictionary<string, string> { [kept] = "kept" });
        Assert.False(pull.Object.ContainsKey(key));
    }

    [Fact]
    public async Task Deleting_an_absent_key_is_404()
    {
        var ws = await platform.CreateClaimedAsync("absent");
        var key = SecretsApi.UniqueKey();
        await platform.SavedAsync(ws.Id, key, "once");
        (await platform.DeleteAsync(ws.Id, key)).AssertStatus(200);

        var again = await platform.DeleteAsync(ws.Id, key);
        var never = await platform.DeleteAsync(ws.Id, SecretsApi.UniqueKey("NEVER"));

        again.AssertError(404, "secret not found");
        never.AssertError(404, "secret not found");
    }

    [Fact]
    public async Task Deleting_a_workspace_key_leaves_the_global_of_the_same_name()
    {
        var ws = await platform.CreateClaimedAsync("unoverride");
        var key = SecretsApi.UniqueKey("SHARED");
        await platform.SavedGlobalAsync(key, "from-global");
        await platform.SavedAsync(ws.Id, key, "from-workspace");

        (await platform.DeleteAsync(ws.Id, key)).AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = key });

        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [key] = "from-global" });
        var entry = Assert.Single((await platform.ListAsync(ws.Id)).Only(key));
        Assert.Equal("global", entry["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_global_that_a_workspace_overrides_leaves_the_workspace_key()
    {
        var ws = await platform.CreateClaimedAsync("keeps-override");
        var key = SecretsApi.UniqueKey("SHARED");
        await platform.SavedGlobalAsync(key, "from-global");
        await platform.SavedAsync(ws.Id, key, "from-workspace");

        (await platform.DeleteGlobalAsync(key)).AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = key, ["scope"] = "global" });

        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [key] = "from-workspace" });
        var entry = Assert.Single((await platform.ListAsync(ws.Id)).Only(key));
        Assert.Equal("workspace", entry["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Global_POST_and_PUT_save_with_scope_global()
    {
        var posted = SecretsApi.UniqueKey("G");
        var put = SecretsApi.UniqueKey("G");

        var viaPost = await platform.SaveGlobalAsync(posted, "gp", HttpMethod.Post);
        var viaPut = await platform.SaveGlobalAsync(put, "gu", HttpMethod.Put);

        viaPost.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = posted, ["scope"] = "global" });
        viaPut.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = put, ["scope"] = "global" });
        var ws = await platform.CreateClaimedAsync("sees-globals");
        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [posted] = "gp", [put] = "gu" });
    }

    [Fact]
    public async Task The_global_list_is_by_key_with_exactly_key_scope_and_timestamps()
    {
        var s = Guid.NewGuid().ToString("N");
        string[] keys = [$"b_{s}", $"A_{s}", $"__{s}", $"Z_{s}"];
        foreach (var key in keys) await platform.SavedGlobalAsync(key, "secret-" + key);

        var list = await platform.ListGlobalAsync();

        list.AssertStatus(200);
        var entries = list.Array.Select(e => e!.AsObject()).ToList();
        var all = entries.Select(e => e["key"]!.GetValue<string>()).ToList();
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal([$"A_{s}", $"Z_{s}", $"__{s}", $"b_{s}"], list.Only(keys).Select(e => e["key"]!.GetValue<string>()));
        Assert.All(entries, e => Assert.Equal(ListFields, e.Select(p => p.Key).Order()));
        Assert.All(entries, e => Assert.Equal("global", e["scope"]!.GetValue<string>()));
        Assert.All(list.Only(keys), e => Assert.Matches(SecretsApi.TimestampPattern, e["created_at"]!.GetValue<string>()));
        Assert.DoesNotContain("secret-", list.Text);
    }

    [Fact]
    public async Task Global_delete_answers_deleted_with_scope_then_the_key_is_gone()
    {
        var key = SecretsApi.UniqueKey("G");
        await platform.SavedGlobalAsync(key, "g");

        var response = await platform.DeleteGlobalAsync(key);
        var again = await platform.DeleteGlobalAsync(key);

        response.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = key, ["scope"] = "global" });
        again.AssertError(404, "secret not found");
        Assert.DoesNotContain(key, await platform.GlobalKeysAsync());
        var ws = await platform.CreateClaimedAsync("after-global-delete");
        var pull = await platform.PullAsync(ws.Id, ws.Token);
        pull.AssertStatus(200);
        Assert.False(pull.Object.ContainsKey(key));
    }

    [Fact]
    public async Task Global_delete_of_a_key_that_never_existed_is_404()
    {
        var response = await platform.DeleteGlobalAsync(SecretsApi.UniqueKey("NEVER"));

        response.AssertError(404, "secret not found");
    }

    [Fact]
    public async Task A_workspace_key_is_not_a_global_key()
    {
        var ws = await platform.CreateClaimedAsync("not-global");
        var key = SecretsApi.UniqueKey();
        await platform.SavedAsync(ws.Id, key, "w");

        var globalDelete = await platform.DeleteGlobalAsync(key);

        globalDelete.AssertError(404, "secret not found");
        Assert.DoesNotContain(key, await platform.GlobalKeysAsync());
        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [key] = "w" });
    }

    [Fact]
    public async Task One_workspace_never_pulls_or_lists_another_workspace_keys()
    {
        var a = await platform.CreateClaimedAsync("a");
        var b = await platform.CreateClaimedAsync("b");
        var key = SecretsApi.UniqueKey();
        await platform.SavedAsync(a.Id, key, "only-a");

        var pull = await platform.PullAsync(b.Id, b.Token);
        var list = await platform.ListAsync(b.Id, b.Token);

        pull.AssertStatus(200);
        Assert.False(pull.Object.ContainsKey(key));
        list.AssertStatus(200);
        Assert.Empty(list.Only(key));
    }

    [Fact]
    public async Task The_agent_saves_lists_and_deletes_its_own_secrets()
    {
        var ws = await platform.CreateClaimedAsync("self-service");
        var key = SecretsApi.UniqueKey("SELF");

        var saved = await platform.SaveAsync(ws.Id, key, "mine", bearer: ws.Token);
        var list = await platform.ListAsync(ws.Id, ws.Token);
        var pull = await platform.PullAsync(ws.Id, ws.Token);
        var deleted = await platform.DeleteAsync(ws.Id, key, bearer: ws.Token);
        var listAfter = await platform.ListAsync(ws.Id, ws.Token);

        saved.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
        var entry = Assert.Single(list.Only(key));
        Assert.Equal("workspace", entry["scope"]!.GetValue<string>());
        await platform.AssertPullAsync(pull, new Dictionary<string, string> { [key] = "mine" });
        deleted.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = key });
        listAfter.AssertStatus(200);
        Assert.Empty(listAfter.Only(key));
    }

    [Fact]
    public async Task Keys_are_case_sensitive()
    {
        var ws = await platform.CreateClaimedAsync("case");
        var s = Guid.NewGuid().ToString("N");
        await platform.SavedAsync(ws.Id, $"KEY_{s}", "upper");
        await platform.SavedAsync(ws.Id, $"key_{s}", "lower");

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        await platform.AssertPullAsync(pull, new Dictionary<string, string> { [$"KEY_{s}"] = "upper", [$"key_{s}"] = "lower" });
        Assert.Equal(2, (await platform.ListAsync(ws.Id)).Only($"KEY_{s}", $"key_{s}").Count);
    }

    [Fact]
    public async Task Values_are_returned_byte_for_byte()
    {
        var ws = await platform.CreateClaimedAsync("unicode");
        var key = SecretsApi.UniqueKey();
        const string value = "línea 1\nline 2\t\"quoted\" \\ 🔑 <tag> & é";
        await platform.SavedAsync(ws.Id, key, value);

        var pull = await platform.PullAsync(ws.Id, ws.Token);

        await platform.AssertPullAsync(pull, new Dictionary<string, string> { [key] = value });
    }

    [Fact]
    public async Task Values_survive_a_LocalHost_restart()
    {
        // Own Azurite: the restarted platform's vault is this directory only, so it must not see foreign globals.
        var azurite = await IsolatedPlatform.StartAzuriteAsync();
        try
        {
            var directory = Path.Combine(Path.GetTempPath(), "molecule-tests", "restart-" + Guid.NewGuid().ToString("N"));
            var global = SecretsApi.UniqueKey("G");
            var own = SecretsApi.UniqueKey("W");
            Agent ws;
            await using (var first = await IsolatedPlatform.StartAsync(azurite: azurite, dataDirectory: directory))
            {
                ws = await first.Platform.CreateClaimedAsync("restarted");
                await first.Platform.SavedGlobalAsync(global, "global-survives");
                await first.Platform.SavedAsync(ws.Id, own, "workspace-survives");
            }

            await using var second = await IsolatedPlatform.StartAsync(azurite: azurite, dataDirectory: directory);
            var pull = await second.Platform.PullAsync(ws.Id, ws.Token);

            pull.AssertBody(200, new JsonObject { [global] = "global-survives", [own] = "workspace-survives" });
        }
        finally
        {
            azurite.Dispose();
        }
    }

    [Fact]
    public async Task The_local_store_keeps_no_value_in_clear_on_disk()
    {
        var ws = await platform.CreateClaimedAsync("on-disk");
        var key = SecretsApi.UniqueKey();
        var value = "clear-text-" + Guid.NewGuid().ToString("N");
        await platform.SavedAsync(ws.Id, key, value);

        var path = Path.Combine(fixture.DataDirectory, "secrets", SecretNames.VaultName(ws.Id, key));

        Assert.True(File.Exists(path), $"no vault file at {path}");
        foreach (var file in Directory.EnumerateFiles(fixture.DataDirectory, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(value, await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Deleting_the_workspace_deletes_its_secrets()
    {
        var ws = await platform.CreateClaimedAsync("removed-with-secrets");
        var keys = new[] { SecretsApi.UniqueKey("A"), SecretsApi.UniqueKey("B") };
        var global = SecretsApi.UniqueKey("G");
        foreach (var key in keys) await platform.SavedAsync(ws.Id, key, "v");
        await platform.SavedGlobalAsync(global, "stays");

        var response = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{ws.Id}");

        response.AssertBody(200, new JsonObject { ["status"] = "removed", ["cascade_deleted"] = 0 });
        var list = await platform.ListAsync(ws.Id);
        list.AssertStatus(200);
        Assert.DoesNotContain(list.Array, e => e!["scope"]!.GetValue<string>() == "workspace");
        Assert.Single(list.Only(global));
        Assert.All(keys, key => Assert.False(File.Exists(Path.Combine(fixture.DataDirectory, "secrets", SecretNames.VaultName(ws.Id, key)))));
        Assert.Contains(global, await platform.GlobalKeysAsync());
    }

    [Fact]
    public async Task Deleting_the_workspace_emits_SECRETS_CHANGED_deleted_for_each_of_its_secrets()
    {
        var ws = await platform.CreateClaimedAsync("removed-events");
        var keys = new[] { SecretsApi.UniqueKey("A"), SecretsApi.UniqueKey("B") };
        foreach (var key in keys) await platform.SavedAsync(ws.Id, key, "v");

        await platform.RemoveAsync(ws.Id);

        foreach (var key in keys)
        {
            var deleted = platform.SecretEvents(ws.Id, key).Where(e => e.Payload["action"]!.GetValue<string>() == "deleted").ToList();
            var e = Assert.Single(deleted);
            Assert.Equal(EventNames.SecretsChanged, e.Event);
            ApiClient.AssertJson(SecretsApi.Changed("workspace", key, "deleted"), e.Payload);
        }
    }

    [Fact]
    public async Task Deleting_a_parent_with_confirm_deletes_the_child_secrets_too()
    {
        var parent = await platform.CreateClaimedAsync("parent");
        var child = await platform.CreateClaimedAsync("child", parent.Id);
        var parentKey = SecretsApi.UniqueKey("P");
        var childKey = SecretsApi.UniqueKey("C");
        await platform.SavedAsync(parent.Id, parentKey, "p");
        await platform.SavedAsync(child.Id, childKey, "c");

        await platform.RemoveAsync(parent.Id);

        foreach (var (id, key) in new[] { (parent.Id, parentKey), (child.Id, childKey) })
        {
            var list = await platform.ListAsync(id);
            list.AssertStatus(200);
            Assert.DoesNotContain(list.Array, e => e!["scope"]!.GetValue<string>() == "workspace");
            ApiClient.AssertJson(SecretsApi.Changed("workspace", key, "deleted"),
                Assert.Single(platform.SecretEvents(id, key), e => e.Payload["action"]!.GetValue<string>() == "deleted").Payload);
        }
    }
}
