using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Core.Workspaces;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Workspaces;

public sealed class CreateWorkspaceTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    [Fact]
    public async Task Create_answers_201_with_the_workspace_object_and_connect()
    {
        var before = DateTimeOffset.UtcNow;

        var response = await platform.AdminAsync(HttpMethod.Post, "/workspaces", new { name = "  planner  ", role = "lead" });

        Assert.Equal(201, response.Status);
        var body = response.Object;
        var id = body["id"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        var created = DateTimeOffset.Parse(body["created_at"]!.GetValue<string>());
        var claimExpires = body["claim_expires_at"]!.GetValue<string>();
        Assert.InRange(created, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(created.AddHours(24), DateTimeOffset.Parse(claimExpires));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", body["created_at"]!.GetValue<string>());
        var expected = new JsonObject
        {
            ["id"] = id, ["name"] = "planner", ["role"] = "lead", ["tier"] = 1, ["runtime"] = "external",
            ["status"] = "awaiting_agent", ["delivery_mode"] = "poll", ["delivery_mode_pinned"] = false, ["url"] = "",
            ["parent_id"] = null, ["agent_card"] = null, ["claimed"] = false, ["claim_expires_at"] = claimExpires,
            ["active_tasks"] = 0, ["current_task"] = "", ["last_error_rate"] = 0, ["last_sample_error"] = "",
            ["uptime_seconds"] = 0, ["last_heartbeat_at"] = null, ["created_at"] = body["created_at"]!.GetValue<string>(),
            ["updated_at"] = body["created_at"]!.GetValue<string>(), ["removed_at"] = null,
            ["connect"] = new JsonObject
            {
                ["platform_url"] = platform.BaseAddress.ToString().TrimEnd('/'),
                ["workspace_id"] = id,
                ["claim_expires_at"] = claimExpires,
                ["python_snippet"] = ConnectSnippets.Python(id, platform.BaseAddress.ToString().TrimEnd('/'), "planner", null, null, null),
                ["curl_snippet"] = ConnectSnippets.Curl(id, platform.BaseAddress.ToString().TrimEnd('/'), "planner", null, null, null),
            },
        };
        ApiClient.AssertJson(expected, body);
    }

    [Fact]
    public async Task Create_emits_WORKSPACE_AWAITING_AGENT_with_its_payload()
    {
        var parent = await platform.CreateWorkspaceAsync("parent");

        var child = await platform.CreateWorkspaceAsync("child", parent["id"]!.GetValue<string>(), extra: new { role = "ci", tier = 3, runtime = "langgraph" });

        var e = Assert.Single(platform.Events.For(child["id"]!.GetValue<string>()));
        Assert.Equal(EventNames.WorkspaceAwaitingAgent, e.Event);
        ApiClient.AssertJson(new JsonObject
        {
            ["name"] = "child", ["role"] = "ci", ["tier"] = 3, ["runtime"] = "langgraph",
            ["parent_id"] = parent["id"]!.GetValue<string>(), ["claimed"] = false,
        }, e.Payload);
    }

    [Fact]
    public async Task Issue_token_mints_a_token_shown_once_and_claims_the_workspace()
    {
        var body = await platform.CreateWorkspaceAsync("with-token", issueToken: true);

        var token = body["connect"]!["auth_token"]!.GetValue<string>();
        Assert.Matches("^mws_[A-Za-z0-9_-]{43}$", token);
        Assert.True(body["claimed"]!.GetValue<bool>());
        Assert.Null(body["claim_expires_at"]);
        Assert.Null(body["connect"]!["claim_expires_at"]);
        Assert.Contains($"client.save_token(\"{token}\")", body["connect"]!["python_snippet"]!.GetValue<string>());
        Assert.Contains($"TOKEN=\"{token}\"", body["connect"]!["curl_snippet"]!.GetValue<string>());
        var own = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{body["id"]}", bearer: token);
        Assert.Equal(200, own.Status);
        Assert.DoesNotContain(token, own.Text);
    }

    [Fact]
    public async Task Without_issue_token_connect_has_no_auth_token()
    {
        var body = await platform.CreateWorkspaceAsync("no-token");

        Assert.False(body["connect"]!.AsObject().ContainsKey("auth_token"));
    }

    [Fact]
    public async Task Url_and_delivery_mode_are_stored_and_pinned()
    {
        var body = await platform.CreateWorkspaceAsync("pushy", extra: new { url = "http://127.0.0.1:9/a2a", delivery_mode = "poll" });

        Assert.Equal("http://127.0.0.1:9/a2a", body["url"]!.GetValue<string>());
        Assert.Equal("poll", body["delivery_mode"]!.GetValue<string>());
        Assert.True(body["delivery_mode_pinned"]!.GetValue<bool>());
        Assert.Contains("reported_url=\"http://127.0.0.1:9/a2a\"", body["connect"]!["python_snippet"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_http_url_without_a_pinned_mode_is_push()
    {
        var body = await platform.CreateWorkspaceAsync("push", extra: new { url = "https://127.0.0.1/a2a" });

        Assert.Equal("push", body["delivery_mode"]!.GetValue<string>());
        Assert.False(body["delivery_mode_pinned"]!.GetValue<bool>());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"role":"x"}""", "name: required" },
        { """{"name":"   "}""", "name: required" },
        { """{"name":42}""", "name: must be a string" },
        { $$"""{"name":"{{new string('n', 256)}}"}""", "name: must be at most 255 characters" },
        { """{"name":"bad\u0007name"}""", "name: must not contain control characters" },
        { """{"name":"bad\u0085name"}""", "name: must not contain control characters" },
        { $$"""{"name":"ok","role":"{{new string('r', 256)}}"}""", "role: must be at most 255 characters" },
        { """{"name":"ok","runtime":"Bad Runtime"}""", "runtime: must match ^[a-z0-9][a-z0-9_-]{0,49}$" },
        { """{"name":"ok","tier":0}""", "tier: must be an integer between 1 and 4" },
        { """{"name":"ok","tier":5}""", "tier: must be an integer between 1 and 4" },
        { """{"name":"ok","tier":"2"}""", "tier: must be an integer between 1 and 4" },
        { """{"name":"ok","tier":1.5}""", "tier: must be an integer between 1 and 4" },
        { """{"name":"ok","url":"ftp://agent.example.com/"}""", "url: scheme must be http, https or remote" },
        { """{"name":"ok","url":"http://169.254.169.254/latest"}""", "url: host is not publicly routable" },
        { """{"name":"ok","url":"http://[::ffff:168.63.129.16]/"}""", "url: host is not publicly routable" },
        { """{"name":"ok","delivery_mode":"carrier-pigeon"}""", "delivery_mode: must be push or poll" },
        { """{"name":"ok","url":"remote://no-inbound","delivery_mode":"push"}""", "delivery_mode: push requires an http or https url" },
        { """{"name":"ok","issue_token":"yes"}""", "issue_token: must be a boolean" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_fields_answer_400_naming_the_field(string body, string detail)
    {
        var response = await platform.SendAsync(HttpMethod.Post, "/workspaces", rawBody: body, bearer: platform.AdminToken);

        response.AssertError(400, "invalid request body", detail);
    }

    [Fact]
    public async Task A_name_of_255_characters_counting_emoji_as_one_is_accepted()
    {
        var name = new string('a', 254) + "🙂";

        var body = await platform.CreateWorkspaceAsync(name);

        Assert.Equal(name, body["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"name\":")]
    [InlineData("")]
    public async Task A_body_that_is_not_JSON_answers_400_invalid_JSON(string raw)
    {
        var response = await platform.SendAsync(HttpMethod.Post, "/workspaces", rawBody: raw, bearer: platform.AdminToken);

        response.AssertError(400, "invalid JSON");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"name\"")]
    [InlineData("null")]
    public async Task A_JSON_body_that_is_not_an_object_answers_400(string raw)
    {
        var response = await platform.SendAsync(HttpMethod.Post, "/workspaces", rawBody: raw, bearer: platform.AdminToken);

        response.AssertError(400, "invalid request body", "body: must be a JSON object");
    }

    [Fact]
    public async Task A_form_content_type_is_still_parsed_as_JSON()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/workspaces")
        {
            Content = new StringContent("{\"name\":\"curl-d\"}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + platform.AdminToken);

        using var response = await platform.Http.SendAsync(request);

        Assert.Equal(201, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_64_KiB_answers_413()
    {
        var raw = $$"""{"name":"big","role":"{{new string('x', 70_000)}}"}""";

        var response = await platform.SendAsync(HttpMethod.Post, "/workspaces", rawBody: raw, bearer: platform.AdminToken);

        response.AssertError(413, "request body too large", "limit 65536 bytes", "payload_too_large");
    }

    [Fact]
    public async Task A_non_UUID_parent_id_answers_400_invalid_workspace_ID()
    {
        var response = await platform.AdminAsync(HttpMethod.Post, "/workspaces", new { name = "x", parent_id = "not-a-uuid" });

        response.AssertError(400, "invalid workspace ID", "parent_id");
    }

    [Fact]
    public async Task An_uppercase_parent_id_is_not_a_workspace_ID()
    {
        var parent = await platform.CreateWorkspaceAsync("p");

        var response = await platform.AdminAsync(HttpMethod.Post, "/workspaces", new { name = "x", parent_id = parent["id"]!.GetValue<string>().ToUpperInvariant() });

        response.AssertError(400, "invalid workspace ID", "parent_id");
    }

    [Fact]
    public async Task An_unknown_parent_answers_404()
    {
        var response = await platform.AdminAsync(HttpMethod.Post, "/workspaces", new { name = "x", parent_id = Guid.NewGuid().ToString() });

        response.AssertError(404, "parent workspace not found", "parent_id");
    }

    [Fact]
    public async Task A_removed_parent_answers_409()
    {
        var parent = await platform.CreateWorkspaceAsync("doomed");
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{parent["id"]}");

        var response = await platform.AdminAsync(HttpMethod.Post, "/workspaces", new { name = "x", parent_id = parent["id"]!.GetValue<string>() });

        response.AssertError(409, "parent workspace removed", "parent_id");
    }

    [Fact]
    public async Task A_chain_may_be_32_deep_but_not_33()
    {
        string? parent = null;
        for (var depth = 1; depth <= 32; depth++)
            parent = (await platform.CreateWorkspaceAsync($"level-{depth}", parent))["id"]!.GetValue<string>();

        var response = await platform.AdminAsync(HttpMethod.Post, "/workspaces", new { name = "level-33", parent_id = parent });

        response.AssertError(409, "hierarchy too deep", "parent_id");
    }
}
