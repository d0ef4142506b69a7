using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>Activity feed, notify and self-reports (contract §3.9).</summary>
public sealed class ActivityTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private Task<ApiResponse> Report(Agent agent, object body) =>
        platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/activity", body, agent.Token);

    private Task<ApiResponse> Feed(Agent agent, string query = "") =>
        platform.SendAsync(HttpMethod.Get, $"/workspaces/{agent.Id}/activity{query}", bearer: agent.Token);

    private async Task<List<string>> ReportMany(Agent agent, int count, string type = "agent_log")
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++) ids.Add((await Report(agent, new { activity_type = type, summary = $"entry {i}" }))["id"]!);
        return ids;
    }

    private static List<string> Ids(ApiResponse r) => r.Array.Select(x => x!["id"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_self_report_is_logged_with_a_ULID_and_an_event()
    {
        var agent = await platform.CreateClaimedAsync();

        var response = await Report(agent, new { activity_type = "task_update", method = "build", summary = "built", status = "ok", duration_ms = 42, metadata = new { step = 3 } });

        Assert.Equal(200, response.Status);
        Assert.Equal("logged", response["status"]);
        Assert.Matches("^[0-7][0-9A-HJKMNP-TV-Z]{25}$", response["id"]!);
        var row = (await Feed(agent)).Array.Single()!.AsObject();
        ApiClient.AssertJson(new JsonObject
        {
            ["id"] = response["id"], ["workspace_id"] = agent.Id, ["activity_type"] = "task_update", ["type"] = "task_update",
            ["source_id"] = agent.Id, ["target_id"] = null, ["method"] = "build", ["summary"] = "built", ["status"] = "ok",
            ["error_detail"] = null, ["duration_ms"] = 42, ["created_at"] = row["created_at"]!.GetValue<string>(), ["ts"] = row["created_at"]!.GetValue<string>(),
            ["request_body"] = new JsonObject { ["step"] = 3 },
        }, row);
        var e = Assert.Single(platform.Events.For(agent.Id, EventNames.ActivityLogged));
        Assert.Equal(response["id"], e.Payload["activity_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"activity_type":"a2a_receive"}""", "activity_type: must be one of a2a_send, task_update, agent_log, skill_promotion, memory_write, error")]
    [InlineData("""{"summary":"x"}""", "activity_type: required")]
    [InlineData("""{"activity_type":"agent_log","status":"meh"}""", "status: must be ok or error")]
    [InlineData("""{"activity_type":"agent_log","duration_ms":-1}""", "duration_ms: must be an integer ≥ 0")]
    public async Task Invalid_self_reports_answer_400(string body, string detail)
    {
        var agent = await platform.CreateClaimedAsync();

        var response = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/activity", rawBody: body, bearer: agent.Token);

        response.AssertError(400, "invalid request body", detail);
    }

    [Fact]
    public async Task A_self_report_cannot_claim_another_source()
    {
        var agent = await platform.CreateClaimedAsync();

        var response = await Report(agent, new { activity_type = "agent_log", source_id = Guid.NewGuid().ToString() });

        response.AssertError(403, "source_id must match authenticated workspace");
    }

    [Fact]
    public async Task Notify_stores_an_agent_message_and_tells_the_canvas()
    {
        var agent = await platform.CreateClaimedAsync("notifier");

        var response = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/notify",
            new { message = "Build finished", attachments = new[] { new { uri = "https://files.example.com/log.txt", name = "log.txt", mimeType = "text/plain" } } }, agent.Token);

        ApiClient.AssertJson(JsonNode.Parse("""{"status":"sent"}"""), response.Json);
        var row = (await Feed(agent, "?type=agent_message")).Array.Single()!;
        Assert.Equal("notify", row["method"]!.GetValue<string>());
        Assert.Equal("Build finished", row["summary"]!.GetValue<string>());
        ApiClient.AssertJson(JsonNode.Parse("""{"result":"Build finished","parts":[{"kind":"file","file":{"uri":"https://files.example.com/log.txt","name":"log.txt","mimeType":"text/plain"}}]}"""), row["response_body"]);
        Assert.Empty((await Feed(agent, "?type=a2a_receive&limit=100")).Array); // never re-delivered to the agent
        var e = Assert.Single(platform.Events.For(agent.Id, EventNames.AgentMessage));
        Assert.Equal("notifier", e.Payload["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"message":""}""", "message: required")]
    [InlineData("""{"message":"x","attachments":[{"uri":"ftp://x/y","name":"y"}]}""", "attachments[0]: uri and name are required")]
    [InlineData("""{"message":"x","attachments":[{"uri":"https://x/y","name":"y"},{"name":"z"}]}""", "attachments[1]: uri and name are required")]
    public async Task Invalid_notifications_answer_400(string body, string detail)
    {
        var agent = await platform.CreateClaimedAsync();

        var response = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/notify", rawBody: body, bearer: agent.Token);

        response.AssertError(400, "invalid request body", detail);
    }

    [Fact]
    public async Task Notify_and_self_reports_need_the_own_token_not_the_admin()
    {
        var agent = await platform.CreateClaimedAsync();

        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/notify", new { message = "x" }, platform.AdminToken))
            .AssertError(403, "this route requires the workspace's own token");
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/activity", new { activity_type = "agent_log" }, platform.AdminToken))
            .AssertError(403, "this route requires the workspace's own token");
    }

    [Fact]
    public async Task The_feed_is_newest_first_by_default_and_cursors_read_forward_oldest_first()
    {
        var agent = await platform.CreateClaimedAsync();
        var ids = await ReportMany(agent, 5);

        var newestFirst = await Feed(agent);
        var afterSecond = await Feed(agent, $"?since_id={ids[1]}");
        var limited = await Feed(agent, $"?since_id={ids[0]}&limit=2");

        Assert.Equal(Enumerable.Reverse(ids), Ids(newestFirst));
        Assert.Equal(ids.Skip(2), Ids(afterSecond));
        Assert.Equal(ids.Skip(1).Take(2), Ids(limited));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task A_lost_cursor_answers_410()
    {
        var agent = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();
        await ReportMany(agent, 1);
        var foreign = (await ReportMany(other, 1))[0];

        (await Feed(agent, "?since_id=01ARZ3NDEKTSV4RRFFQ69G5FAV")).AssertError(410, "cursor lost");
        (await Feed(agent, "?since_id=not-a-ulid")).AssertError(410, "cursor lost");
        (await Feed(agent, $"?since_id={foreign}")).AssertError(410, "cursor lost");
    }

    [Fact]
    public async Task The_cursor_may_be_a_row_of_another_type()
    {
        var agent = await platform.CreateClaimedAsync();
        var log = (await ReportMany(agent, 1, "agent_log"))[0];
        var errors = await ReportMany(agent, 2, "error");

        var response = await Feed(agent, $"?type=error&since_id={log}");

        Assert.Equal(errors, Ids(response));
    }

    [Fact]
    public async Task A_limit_without_a_cursor_returns_the_newest_rows_newest_first_for_other_types()
    {
        var agent = await platform.CreateClaimedAsync();
        var ids = await ReportMany(agent, 4, "error");

        var response = await Feed(agent, "?type=error&limit=3");

        // only type=a2a_receive (the SDK's first inbox poll) reverses this; a2a_receive rows come from the proxy
        Assert.Equal(Enumerable.Reverse(ids).Take(3), Ids(response));
    }

    [Fact]
    public async Task Filters_by_type_source_peer_and_time()
    {
        var agent = await platform.CreateClaimedAsync();
        await ReportMany(agent, 2, "agent_log");
        var before = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

        Assert.Equal(2, (await Feed(agent, "?type=agent_log")).Array.Count);
        Assert.Empty((await Feed(agent, "?type=unknown_type")).Array);
        Assert.Empty((await Feed(agent, "?source=canvas")).Array);
        Assert.Equal(2, (await Feed(agent, "?source=agent")).Array.Count);
        Assert.Equal(2, (await Feed(agent, $"?peer_id={agent.Id}")).Array.Count);
        Assert.Empty((await Feed(agent, $"?before_ts={before}")).Array);
        Assert.Equal(2, (await Feed(agent, "?since_secs=60")).Array.Count);
        Assert.Equal(2, (await Feed(agent, "?type=&limit=")).Array.Count); // empty parameters are absent
    }

    [Theory]
    [InlineData("?limit=0", "invalid query parameter", "limit: must be an integer between 1 and 500")]
    [InlineData("?limit=501", "invalid query parameter", "limit: must be an integer between 1 and 500")]
    [InlineData("?limit=abc", "invalid query parameter", "limit: must be an integer between 1 and 500")]
    [InlineData("?source=robot", "invalid query parameter", "source: must be canvas or agent")]
    [InlineData("?since_secs=0", "invalid query parameter", "since_secs: must be an integer between 1 and 2592000")]
    [InlineData("?before_ts=yesterday", "invalid query parameter", "before_ts: must be an RFC 3339 timestamp")]
    [InlineData("?peer_id=nope", "invalid workspace ID", "peer_id")]
    public async Task Bad_query_parameters_answer_400(string query, string error, string detail)
    {
        var agent = await platform.CreateClaimedAsync();

        (await Feed(agent, query)).AssertError(400, error, detail);
    }

    [Fact]
    public async Task One_workspace_cannot_read_another_feed()
    {
        var agent = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();

        var response = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{agent.Id}/activity", bearer: other.Token);

        response.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task Concurrent_appends_get_distinct_increasing_ids()
    {
        var agent = await platform.CreateClaimedAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Report(agent, new { activity_type = "agent_log", summary = $"{i}" })));

        var ids = responses.Select(r => r["id"]!).ToList();
        Assert.Equal(20, ids.Distinct().Count());
        var first = ids.Order(StringComparer.Ordinal).First();
        var forward = await Feed(agent, $"?since_id={first}&limit=500");
        Assert.Equal(19, forward.Array.Count);
    }

    [Fact]
    public async Task A_body_larger_than_a_table_property_is_stored_whole()
    {
        var agent = await platform.CreateClaimedAsync();
        var big = new string('x', 45_000); // over the 32 K characters a table string property holds
        var small = new string('y', 10_000);

        var reported = await Report(agent, new { activity_type = "memory_write", request_body = new { blob = big }, response_body = new { echo = small } });
        var row = (await Feed(agent)).Array.Single()!;

        Assert.Equal(200, reported.Status);
        Assert.Equal(reported["id"], row["id"]!.GetValue<string>());
        Assert.Equal(big, row["request_body"]!["blob"]!.GetValue<string>());
        Assert.Equal(small, row["response_body"]!["echo"]!.GetValue<string>());
    }
}
