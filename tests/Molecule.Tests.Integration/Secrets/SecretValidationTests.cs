using System.Text;
using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Secrets;

/// <summary>
/// Request validation of the secrets routes (contract §0.2, §0.3, §1.4 order, §3 removed workspaces, §3.7)
/// and the SECRETS_CHANGED events (§4).
/// </summary>
public sealed class SecretValidationTests(IsolatedPlatformFixture fixture) : IClassFixture<IsolatedPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private const int MaxValueBytes = 24 * 1024; // 24,576

    public static TheoryData<string, string> InvalidKeys() => new()
    {
        { "empty", """{"key":"","value":"v"}""" },
        { "starts with a digit", """{"key":"1ABC","value":"v"}""" },
        { "has a hyphen", """{"key":"OPENAI-KEY","value":"v"}""" },
        { "has a space", """{"key":"OPENAI KEY","value":"v"}""" },
        { "has a dot", """{"key":"a.b","value":"v"}""" },
        { "non-ASCII letter", """{"key":"CLÉ","value":"v"}""" },
        { "129 characters", $$"""{"key":"{{"A" + new string('x', 128)}}","value":"v"}""" },
        { "trailing newline", """{"key":"KEY\n","value":"v"}""" },
        { "a number", """{"key":5,"value":"v"}""" },
        { "a boolean", """{"key":true,"value":"v"}""" },
        { "an array", """{"key":["KEY"],"value":"v"}""" },
        { "null", """{"key":null,"value":"v"}""" },
        { "missing", """{"value":"v"}""" },
    };

    public static TheoryData<string, string> InvalidValues() => new()
    {
        { "missing", """{"key":"KEY"}""" },
        { "empty", """{"key":"KEY","value":""}""" },
        { "null", """{"key":"KEY","value":null}""" },
        { "a number", """{"key":"KEY","value":42}""" },
        { "a boolean", """{"key":"KEY","value":false}""" },
        { "an object", """{"key":"KEY","value":{"a":"b"}}""" },
        { "24,577 ASCII bytes", new JsonObject { ["key"] = "KEY", ["value"] = new string('v', MaxValueBytes + 1) }.ToJsonString() },
        { "24,579 bytes in 8,193 three-byte characters", new JsonObject { ["key"] = "KEY", ["value"] = new string('€', 8193) }.ToJsonString() },
    };

    private static void AssertInvalidBody(ApiResponse response, string field)
    {
        response.AssertStatus(400);
        var body = response.Object;
        Assert.Equal(["detail", "error"], body.Select(p => p.Key).Order());
        Assert.Equal("invalid request body", body["error"]!.GetValue<string>());
        Assert.StartsWith(field + ": ", body["detail"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task An_invalid_key_in_a_workspace_save_is_400_naming_key(string why, string body)
    {
        _ = why;
        var ws = await platform.CreateClaimedAsync("bad-key");

        var response = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: body, bearer: ws.Token);

        AssertInvalidBody(response, "key");
        Assert.Empty(platform.Events.For(ws.Id, EventNames.SecretsChanged));
        Assert.DoesNotContain((await platform.ListAsync(ws.Id)).Array, e => e!["scope"]!.GetValue<string>() == "workspace");
    }

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task An_invalid_key_in_a_global_save_is_400_naming_key(string why, string body)
    {
        _ = why;

        var response = await platform.SendAsync(HttpMethod.Put, "/settings/secrets", rawBody: body, bearer: platform.AdminToken);

        AssertInvalidBody(response, "key");
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task An_invalid_value_in_a_workspace_save_is_400_naming_value(string why, string body)
    {
        _ = why;
        var ws = await platform.CreateClaimedAsync("bad-value");

        var response = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: body, bearer: platform.AdminToken);

        AssertInvalidBody(response, "value");
        Assert.Empty(platform.Events.For(ws.Id, EventNames.SecretsChanged));
        Assert.Empty((await platform.ListAsync(ws.Id)).Only("KEY"));
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task An_invalid_value_in_a_global_save_is_400_naming_value(string why, string body)
    {
        _ = why;

        var response = await platform.SendAsync(HttpMethod.Post, "/settings/secrets", rawBody: body, bearer: platform.AdminToken);

        AssertInvalidBody(response, "value");
    }

    [Fact]
    public async Task Unknown_body_fields_are_ignored_and_never_change_the_scope_or_workspace()
    {
        var ws = await platform.CreateClaimedAsync("unknown-fields");
        var other = await platform.CreateClaimedAsync("unknown-fields-other");
        var key = SecretsApi.UniqueKey();
        var body = new JsonObject
        {
            ["key"] = key, ["value"] = "v", ["scope"] = "global", ["workspace_id"] = other.Id, ["created_at"] = "2020-01-01T00:00:00.000Z",
        }.ToJsonString();

        var response = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: body, bearer: ws.Token);

        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
        var entry = Assert.Single((await platform.ListAsync(ws.Id)).Only(key));
        Assert.Equal("workspace", entry["scope"]!.GetValue<string>());
        Assert.NotEqual("2020-01-01T00:00:00.000Z", entry["created_at"]!.GetValue<string>());
        Assert.DoesNotContain(key, await platform.GlobalKeysAsync());
        Assert.Empty((await platform.ListAsync(other.Id)).Only(key));
    }

    [Fact]
    public async Task A_value_of_exactly_24576_bytes_is_accepted_and_pulled_intact()
    {
        var ws = await platform.CreateClaimedAsync("max-value");
        var key = SecretsApi.UniqueKey();
        var value = new string('v', MaxValueBytes - 36) + Guid.NewGuid().ToString("D");
        Assert.Equal(MaxValueBytes, Encoding.UTF8.GetByteCount(value));

        var response = await platform.SaveAsync(ws.Id, key, value);

        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [key] = value });
    }

    [Fact]
    public async Task A_value_of_8192_three_byte_characters_is_exactly_24576_bytes_and_accepted()
    {
        var ws = await platform.CreateClaimedAsync("max-value-utf8");
        var key = SecretsApi.UniqueKey();
        var value = new string('€', 8192);
        Assert.Equal(MaxValueBytes, Encoding.UTF8.GetByteCount(value));

        var response = await platform.SaveAsync(ws.Id, key, value, bearer: ws.Token);

        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
        await platform.AssertPullAsync(await platform.PullAsync(ws.Id, ws.Token), new Dictionary<string, string> { [key] = value });
    }

    [Fact]
    public async Task A_global_value_of_exactly_24576_bytes_is_accepted()
    {
        var key = SecretsApi.UniqueKey("G");

        var response = await platform.SaveGlobalAsync(key, new string('g', MaxValueBytes));

        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key, ["scope"] = "global" });
    }

    [Theory]
    [InlineData("_")]
    [InlineData("a")]
    [InlineData("_0")]
    [InlineData("Z9_z")]
    public async Task Short_keys_on_the_pattern_are_accepted(string key)
    {
        var ws = await platform.CreateClaimedAsync("short-key");

        var response = await platform.SaveAsync(ws.Id, key, "v");

        response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
        Assert.Single((await platform.ListAsync(ws.Id)).Only(key), e => e["scope"]!.GetValue<string>() == "workspace");
    }

    [Fact]
    public async Task A_key_of_128_characters_is_accepted_and_deletable_by_path()
    {
        var ws = await platform.CreateClaimedAsync("long-key");
        var key = "K" + Guid.NewGuid().ToString("N") + new string('_', 128 - 33);
        Assert.Equal(128, key.Length);

        var saved = await platform.SaveAsync(ws.Id, key, "v");
        var deleted = await platform.DeleteAsync(ws.Id, key);

        saved.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = key });
        deleted.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = key });
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"key\":\"KEY\",\"value\":")]
    [InlineData("{'key':'KEY','value':'v'}")]
    [InlineData("key=KEY&value=v")]
    public async Task A_body_that_is_not_JSON_is_400_invalid_JSON(string body)
    {
        var ws = await platform.CreateClaimedAsync("not-json");

        var workspace = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: body, bearer: ws.Token);
        var global = await platform.SendAsync(HttpMethod.Post, "/settings/secrets", rawBody: body, bearer: platform.AdminToken);

        workspace.AssertError(400, "invalid JSON");
        global.AssertError(400, "invalid JSON");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"key\":\"KEY\",\"value\":\"v\"}]")]
    [InlineData("\"KEY=v\"")]
    [InlineData("42")]
    public async Task A_JSON_body_that_is_not_an_object_is_400(string body)
    {
        var ws = await platform.CreateClaimedAsync("not-object");

        var workspace = await platform.SendAsync(HttpMethod.Put, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: body, bearer: ws.Token);
        var global = await platform.SendAsync(HttpMethod.Put, "/settings/secrets", rawBody: body, bearer: platform.AdminToken);

        workspace.AssertError(400, "invalid request body", detail: "body: must be a JSON object");
        global.AssertError(400, "invalid request body", detail: "body: must be a JSON object");
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413()
    {
        var ws = await platform.CreateClaimedAsync("too-large");
        var body = SecretsApi.Body("KEY", new string('v', 70_000));

        var workspace = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: body, bearer: ws.Token);
        var global = await platform.SendAsync(HttpMethod.Post, "/settings/secrets", rawBody: body, bearer: platform.AdminToken);

        workspace.AssertError(413, "request body too large", detail: "limit 65536 bytes", code: "payload_too_large");
        global.AssertError(413, "request body too large", detail: "limit 65536 bytes", code: "payload_too_large");
    }

    [Fact]
    public async Task Authentication_comes_before_body_validation()
    {
        var ws = await platform.CreateClaimedAsync("auth-first");

        var workspace = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: "not json");
        var global = await platform.SendAsync(HttpMethod.Post, "/settings/secrets", rawBody: """{"key":"1BAD"}""");

        workspace.AssertError(401, "missing workspace auth token");
        global.AssertError(401, "admin auth required");
    }

    [Theory]
    [InlineData("1BAD")]
    [InlineData("bad-key")]
    [InlineData("a.b")]
    [InlineData("K%C3%89")]
    public async Task A_bad_path_key_on_a_workspace_delete_is_400_before_authentication(string key)
    {
        var ws = await platform.CreateClaimedAsync("bad-path-key");
        var path = $"{SecretsApi.WorkspaceSecrets(ws.Id)}/{key}";

        var anonymous = await platform.SendAsync(HttpMethod.Delete, path);
        var foreign = await platform.SendAsync(HttpMethod.Delete, path, bearer: RegistryApi.UnknownToken());
        var admin = await platform.SendAsync(HttpMethod.Delete, path, bearer: platform.AdminToken);

        anonymous.AssertError(400, "invalid secret key");
        foreign.AssertError(400, "invalid secret key");
        admin.AssertError(400, "invalid secret key");
    }

    [Theory]
    [InlineData("bad-key")]
    [InlineData("1BAD")]
    [InlineData("a.b")]
    public async Task A_bad_path_key_on_a_global_delete_is_400_before_authentication(string key)
    {
        var anonymous = await platform.SendAsync(HttpMethod.Delete, $"/settings/secrets/{key}");
        var workspaceToken = await platform.SendAsync(HttpMethod.Delete, $"/settings/secrets/{key}", bearer: RegistryApi.UnknownToken());
        var admin = await platform.SendAsync(HttpMethod.Delete, $"/settings/secrets/{key}", bearer: platform.AdminToken);

        anonymous.AssertError(400, "invalid secret key");
        workspaceToken.AssertError(400, "invalid secret key");
        admin.AssertError(400, "invalid secret key");
    }

    [Fact]
    public async Task A_path_key_of_129_characters_is_400_invalid_secret_key()
    {
        var ws = await platform.CreateClaimedAsync("long-path-key");
        var key = "K" + new string('x', 128);

        var workspace = await platform.SendAsync(HttpMethod.Delete, $"{SecretsApi.WorkspaceSecrets(ws.Id)}/{key}", bearer: platform.AdminToken);
        var global = await platform.SendAsync(HttpMethod.Delete, $"/settings/secrets/{key}", bearer: platform.AdminToken);

        workspace.AssertError(400, "invalid secret key");
        global.AssertError(400, "invalid secret key");
    }

    public static TheoryData<string, string> WorkspaceRoutes() => new()
    {
        { "GET", "/workspaces/{0}/secrets/values" },
        { "GET", "/workspaces/{0}/secrets" },
        { "POST", "/workspaces/{0}/secrets" },
        { "PUT", "/workspaces/{0}/secrets" },
        { "DELETE", "/workspaces/{0}/secrets/KEY" },
        { "DELETE", "/workspaces/{0}/secrets/1BAD" },
    };

    [Theory]
    [MemberData(nameof(WorkspaceRoutes))]
    public async Task A_non_UUID_workspace_id_is_400_before_authentication(string method, string route)
    {
        foreach (var id in new[] { "not-a-uuid", "3F0C8D2E-5B1A-4C6E-9F7D-2A1B3C4D5E6F", "3f0c8d2e5b1a4c6e9f7d2a1b3c4d5e6f", "123" })
        {
            var path = string.Format(route, id);
            var body = method is "POST" or "PUT" ? SecretsApi.Body("KEY", "v") : null;

            var anonymous = await platform.SendAsync(new HttpMethod(method), path, rawBody: body);
            var admin = await platform.SendAsync(new HttpMethod(method), path, rawBody: body, bearer: platform.AdminToken);

            anonymous.AssertError(400, "invalid workspace ID", detail: "id");
            admin.AssertError(400, "invalid workspace ID", detail: "id");
        }
    }

    [Fact]
    public async Task Saving_to_a_removed_workspace_is_410_with_id_and_removed_at()
    {
        var ws = await platform.CreateClaimedAsync("removed");
        await platform.RemoveAsync(ws.Id);
        var removedAt = (await platform.GetAsAdminAsync(ws.Id))["removed_at"]!.GetValue<string>();
        var expected = new JsonObject { ["error"] = "workspace removed", ["id"] = ws.Id, ["removed_at"] = removedAt };

        var post = await platform.SaveAsync(ws.Id, SecretsApi.UniqueKey(), "v", method: HttpMethod.Post);
        var put = await platform.SaveAsync(ws.Id, SecretsApi.UniqueKey(), "v", method: HttpMethod.Put);

        post.AssertBody(410, expected);
        put.AssertBody(410, expected);
        Assert.Empty(platform.Events.For(ws.Id, EventNames.SecretsChanged));
    }

    [Fact]
    public async Task Deleting_a_secret_of_a_removed_workspace_is_410()
    {
        var ws = await platform.CreateClaimedAsync("removed-delete");
        var key = SecretsApi.UniqueKey();
        await platform.SavedAsync(ws.Id, key, "v");
        await platform.RemoveAsync(ws.Id);
        var removedAt = (await platform.GetAsAdminAsync(ws.Id))["removed_at"]!.GetValue<string>();

        var response = await platform.DeleteAsync(ws.Id, key);

        response.AssertBody(410, new JsonObject { ["error"] = "workspace removed", ["id"] = ws.Id, ["removed_at"] = removedAt });
    }

    [Fact]
    public async Task The_admin_still_lists_a_removed_workspace_secrets_route_with_200()
    {
        var ws = await platform.CreateClaimedAsync("removed-list");
        var key = SecretsApi.UniqueKey();
        var global = SecretsApi.UniqueKey("G");
        await platform.SavedAsync(ws.Id, key, "v");
        await platform.SavedGlobalAsync(global, "g");
        await platform.RemoveAsync(ws.Id);

        var list = await platform.ListAsync(ws.Id);

        list.AssertStatus(200);
        Assert.Empty(list.Only(key));
        Assert.Single(list.Only(global), e => e["scope"]!.GetValue<string>() == "global");
    }

    [Fact]
    public async Task The_token_of_a_removed_workspace_no_longer_reaches_its_secrets()
    {
        var ws = await platform.CreateClaimedAsync("removed-token");
        await platform.SavedAsync(ws.Id, SecretsApi.UniqueKey(), "v");
        await platform.RemoveAsync(ws.Id);

        var pull = await platform.PullAsync(ws.Id, ws.Token);
        var list = await platform.ListAsync(ws.Id, ws.Token);
        var save = await platform.SaveAsync(ws.Id, SecretsApi.UniqueKey(), "v", bearer: ws.Token);

        pull.AssertError(401, "invalid workspace auth token");
        list.AssertError(401, "invalid workspace auth token");
        save.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task An_invalid_body_on_a_removed_workspace_is_still_400()
    {
        var ws = await platform.CreateClaimedAsync("removed-bad-body");
        await platform.RemoveAsync(ws.Id);

        var response = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: """{"key":"1BAD","value":"v"}""",
            bearer: platform.AdminToken);

        AssertInvalidBody(response, "key");
    }

    [Theory]
    [InlineData("value", """{"key":"KEY","value":"abc\ud800"}""")]
    [InlineData("value", """{"key":"KEY","value":"\udc00xyz"}""")]
    [InlineData("key", """{"key":"K\ud800","value":"v"}""")]
    public async Task A_string_that_is_not_valid_Unicode_is_400_not_500(string field, string body)
    {
        var ws = await platform.CreateClaimedAsync("lone-surrogate");

        var response = await platform.SendAsync(HttpMethod.Post, SecretsApi.WorkspaceSecrets(ws.Id), rawBody: body, bearer: ws.Token);

        // §0.3: a body that parses but holds a bad field is 400 naming it; one that does not parse is 400 invalid JSON.
        Assert.True(response.Status == 400, $"expected 400, got {response.Status}: {response.Text}");
        if (response.Object["error"]!.GetValue<string>() != "invalid JSON") AssertInvalidBody(response, field);
        Assert.Empty(platform.Events.For(ws.Id, EventNames.SecretsChanged));
    }

    [Theory]
    [InlineData("PATCH", "/workspaces/{0}/secrets")]
    [InlineData("DELETE", "/workspaces/{0}/secrets")]
    [InlineData("POST", "/workspaces/{0}/secrets/values")]
    [InlineData("PATCH", "/settings/secrets")]
    [InlineData("DELETE", "/settings/secrets")]
    [InlineData("GET", "/settings/secrets/KEY")]
    public async Task An_unsupported_method_on_a_secrets_path_is_405_with_Allow(string method, string route)
    {
        var ws = await platform.CreateClaimedAsync("method");

        var response = await platform.SendAsync(new HttpMethod(method), string.Format(route, ws.Id), bearer: platform.AdminToken);

        response.AssertError(405, "method not allowed");
        Assert.False(string.IsNullOrEmpty(response.Header("Allow")), "no Allow header");
        Assert.DoesNotContain(method, response.Header("Allow")!.Split(',', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_key_named_values_is_an_ordinary_key_deletable_by_path()
    {
        var ws = await platform.CreateClaimedAsync("key-values");
        await platform.SavedAsync(ws.Id, "values", "v");

        var pull = await platform.PullAsync(ws.Id, ws.Token);
        var deleted = await platform.DeleteAsync(ws.Id, "values");

        await platform.AssertPullAsync(pull, new Dictionary<string, string> { ["values"] = "v" });
        deleted.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = "values" });
        Assert.Empty((await platform.ListAsync(ws.Id)).Only("values"));
    }

    [Fact]
    public async Task Secrets_responses_are_no_store()
    {
        var ws = await platform.CreateClaimedAsync("no-store");
        await platform.SavedAsync(ws.Id, SecretsApi.UniqueKey(), "v");

        var pull = await platform.PullAsync(ws.Id, ws.Token);
        var list = await platform.ListAsync(ws.Id, ws.Token);
        var globals = await platform.ListGlobalAsync();

        Assert.All(new[] { pull, list, globals }, r => Assert.Equal("no-store", r.Header("Cache-Control")));
        Assert.All(new[] { pull, list, globals }, r => Assert.StartsWith("application/json", r.Header("Content-Type")));
    }

    [Fact]
    public async Task Saving_a_workspace_secret_emits_SECRETS_CHANGED_saved_for_the_workspace()
    {
        var ws = await platform.CreateClaimedAsync("event-save");
        var key = SecretsApi.UniqueKey();

        await platform.SavedAsync(ws.Id, key, "value-1");
        await platform.SaveAsync(ws.Id, key, "value-2", bearer: ws.Token, method: HttpMethod.Put);

        var events = platform.SecretEvents(ws.Id, key);
        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal(EventNames.SecretsChanged, e.Event);
            Assert.Equal(ws.Id, e.WorkspaceId);
            ApiClient.AssertJson(SecretsApi.Changed("workspace", key, "saved"), e.Payload);
        });
    }

    [Fact]
    public async Task Deleting_a_workspace_secret_emits_SECRETS_CHANGED_deleted_for_the_workspace()
    {
        var ws = await platform.CreateClaimedAsync("event-delete");
        var key = SecretsApi.UniqueKey();
        await platform.SavedAsync(ws.Id, key, "value");

        (await platform.DeleteAsync(ws.Id, key, bearer: ws.Token)).AssertStatus(200);

        var events = platform.SecretEvents(ws.Id, key);
        Assert.Equal(2, events.Count);
        ApiClient.AssertJson(SecretsApi.Changed("workspace", key, "saved"), events[0].Payload);
        ApiClient.AssertJson(SecretsApi.Changed("workspace", key, "deleted"), events[1].Payload);
        Assert.Equal(ws.Id, events[1].WorkspaceId);
    }

    [Fact]
    public async Task Global_saves_and_deletes_emit_SECRETS_CHANGED_with_a_null_workspace_id()
    {
        var key = SecretsApi.UniqueKey("G");

        await platform.SavedGlobalAsync(key, "g1");
        (await platform.SaveGlobalAsync(key, "g2", HttpMethod.Put)).AssertStatus(200);
        (await platform.DeleteGlobalAsync(key)).AssertStatus(200);

        var events = platform.Events.All.Where(e => e.Event == EventNames.SecretsChanged && e.Payload["key"]?.GetValue<string>() == key).ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Null(e.WorkspaceId));
        ApiClient.AssertJson(SecretsApi.Changed("global", key, "saved"), events[0].Payload);
        ApiClient.AssertJson(SecretsApi.Changed("global", key, "saved"), events[1].Payload);
        ApiClient.AssertJson(SecretsApi.Changed("global", key, "deleted"), events[2].Payload);
    }

    [Fact]
    public async Task A_refused_or_missing_delete_emits_no_event()
    {
        var ws = await platform.CreateClaimedAsync("no-event");
        var key = SecretsApi.UniqueKey();
        var global = SecretsApi.UniqueKey("G");

        (await platform.DeleteAsync(ws.Id, key)).AssertStatus(404);
        (await platform.DeleteGlobalAsync(global)).AssertStatus(404);
        (await platform.SendAsync(HttpMethod.Post, "/settings/secrets", rawBody: SecretsApi.Body(global, "v"), bearer: ws.Token)).AssertStatus(401);

        Assert.Empty(platform.SecretEvents(ws.Id, key));
        Assert.Empty(platform.SecretEvents(null, global));
    }
}
