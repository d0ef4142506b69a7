using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Molecule.Core.Events;
using Molecule.Core.Network;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>The A2A proxy (contract §3.8) against a real agent on loopback.</summary>
public sealed class ProxyTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static readonly JsonObject V03 = JsonNode.Parse("""
        {"jsonrpc":"2.0","id":"req-1","method":"message/send","params":{"message":{"role":"user","messageId":"m-1","parts":[{"kind":"text","text":"Please summarise"},{"kind":"data","data":{"x":1}},{"kind":"text","text":"the failed builds"}]}}}
        """)!.AsObject();

    private Task<ApiResponse> Call(string target, object body, Agent? caller = null, Dictionary<string, string>? headers = null, string? bearer = null)
    {
        headers ??= [];
        if (caller is not null) headers["X-Workspace-ID"] = caller.Id;
        return platform.SendAsync(HttpMethod.Post, $"/workspaces/{target}/a2a", body is string s ? s : System.Text.Json.JsonSerializer.Serialize(body), bearer ?? caller?.Token ?? platform.AdminToken, headers);
    }

    private async Task<(Agent Caller, Agent Target)> SiblingsAsync(string? targetUrl = null)
    {
        var caller = await platform.CreateClaimedAsync("caller");
        var target = await platform.CreateClaimedAsync("target");
        if (targetUrl is not null) Assert.Equal(200, (await platform.RegisterAsync(target.Id, target.Token, url: targetUrl)).Status);
        return (caller, target);
    }

    [Fact]
    public async Task A_message_to_a_poll_target_is_queued_in_its_inbox_once_per_messageId()
    {
        var (caller, target) = await SiblingsAsync();

        var first = await Call(target.Id, V03, caller);
        var again = await Call(target.Id, V03, caller);

        Assert.Equal(200, first.Status);
        Assert.Equal("queued", first["status"]);
        Assert.Equal("poll", first["delivery_mode"]);
        Assert.Equal("message/send", first["method"]);
        Assert.Equal(first.Text, again.Text);
        var inbox = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity?type=a2a_receive&limit=100", bearer: target.Token);
        var row = inbox.Array.Single()!;
        Assert.Equal(first["activity_id"], row["id"]!.GetValue<string>());
        Assert.Equal("queued", row["status"]!.GetValue<string>());
        Assert.Equal("message/send from caller", row["summary"]!.GetValue<string>());
        ApiClient.AssertJson(V03, row["request_body"]);
        ApiClient.AssertJson(new JsonObject
        {
            ["source"] = "peer_agent", ["kind"] = "peer_agent", ["text"] = "Please summarise\nthe failed builds", ["peer_id"] = caller.Id,
            ["peer_name"] = "caller", ["peer_role"] = "", ["agent_card_url"] = $"{platform.BaseAddress.ToString().TrimEnd('/')}/registry/discover/{caller.Id}",
            ["activity_id"] = first["activity_id"],
        }, row["data"]);
        Assert.Single(platform.Events.For(target.Id, EventNames.ActivityLogged));
    }

    [Fact]
    public async Task The_SDK_first_inbox_poll_returns_the_newest_rows_oldest_first()
    {
        var (caller, target) = await SiblingsAsync();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
            ids.Add((await Call(target.Id, new { method = "message/send", @params = new { message = new { role = "user", parts = new[] { new { kind = "text", text = $"m{i}" } } } } }, caller))["activity_id"]!);

        var first = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity?type=a2a_receive&limit=3", bearer: target.Token);
        var next = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity?type=a2a_receive&limit=3&since_id={ids[1]}", bearer: target.Token);

        Assert.Equal(ids.Skip(1), first.Array.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal(ids.Skip(2), next.Array.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal("m3", first.Array[2]!["data"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_without_jsonrpc_is_wrapped_and_gets_a_messageId()
    {
        var (caller, target) = await SiblingsAsync();

        var queued = await Call(target.Id, new { method = "SendMessage", @params = new { message = new { role = "ROLE_USER", parts = new[] { new { text = "v1 text part" } } } }, extra = 1 }, caller);

        var row = (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity", bearer: target.Token)).Array.Single()!;
        var body = row["request_body"]!.AsObject();
        Assert.Equal(200, queued.Status);
        Assert.Equal("2.0", body["jsonrpc"]!.GetValue<string>());
        Assert.Equal("SendMessage", body["method"]!.GetValue<string>());
        Assert.False(body.ContainsKey("extra"));
        Assert.Matches("^[0-9a-f-]{36}$", body["params"]!["message"]!["messageId"]!.GetValue<string>());
        Assert.Equal("v1 text part", row["data"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_push_target_gets_the_body_verbatim_without_the_callers_credentials()
    {
        await using var agent = await TestAgent.StartAsync();
        var (caller, target) = await SiblingsAsync(agent.Url);
        var headers = new Dictionary<string, string>
        {
            ["A2A-Version"] = "0.3", ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["Cookie"] = "session=secret",
            ["X-Custom"] = "nope",
        };

        var response = await Call(target.Id, V03, caller, headers);

        Assert.Equal(200, response.Status);
        ApiClient.AssertJson(JsonNode.Parse("""{"jsonrpc":"2.0","id":"1","result":{"ok":true}}"""), response.Json);
        var received = Assert.Single(agent.Requests);
        ApiClient.AssertJson(V03, JsonNode.Parse(received.Body));
        Assert.Equal("/a2a/inbound", received.Path);
        Assert.Equal(received.Body.Length, received.ContentLength);
        Assert.False(received.Chunked);
        Assert.Equal("0.3", received.Headers["A2A-Version"]);
        Assert.Equal(headers["traceparent"], received.Headers["traceparent"]);
        Assert.Equal(caller.Id, received.Headers["X-Source-Workspace-Id"]);
        Assert.StartsWith("MoleculeServerless/", received.Headers["User-Agent"]);
        Assert.False(received.Headers.ContainsKey("Authorization"));
        Assert.False(received.Headers.ContainsKey("Cookie"));
        Assert.False(received.Headers.ContainsKey("X-Custom"));
        Assert.False(received.Headers.ContainsKey("X-Workspace-ID"));
        var row = (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity", bearer: target.Token)).Array.Single()!;
        Assert.Equal("ok", row["status"]!.GetValue<string>());
        ApiClient.AssertJson(JsonNode.Parse("""{"jsonrpc":"2.0","id":"1","result":{"ok":true}}"""), row["response_body"]);
    }

    [Fact]
    public async Task The_canvas_calls_with_the_admin_token_and_gets_an_A2A_RESPONSE_event()
    {
        await using var agent = await TestAgent.StartAsync();
        var (_, target) = await SiblingsAsync(agent.Url);

        var response = await Call(target.Id, V03, bearer: platform.AdminToken);

        Assert.Equal(200, response.Status);
        Assert.Equal("canvas", agent.Requests.Single().Headers["X-Source-Workspace-Id"]);
        var e = Assert.Single(platform.Events.For(target.Id, EventNames.A2AResponse));
        ApiClient.AssertJson(JsonNode.Parse("""{"jsonrpc":"2.0","id":"1","result":{"ok":true}}"""), e.Payload["response_body"]);
        var row = (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity", bearer: platform.AdminToken)).Array.Single()!;
        Assert.Null(row["source_id"]);
        Assert.Equal("canvas_user", row["data"]!["source"]!.GetValue<string>());
        Assert.Equal("message/send from canvas", row["summary"]!.GetValue<string>());
    }

    public static TheoryData<int, string, string, int, string> AgentAnswers => new()
    {
        { 500, """{"error":"database down"}""", "application/json", 500, """{"error":"agent returned 500","agent_error":"database down"}""" },
        { 404, """{"detail":"nope"}""", "application/json", 404, """{"error":"agent returned 404"}""" },
        { 200, "<html>hi</html>", "text/html", 502, """{"error":"agent returned a non-JSON response"}""" },
        { 200, "data: {}\n\n", "text/event-stream", 502, """{"error":"agent returned a non-JSON response"}""" },
        { 302, "", "application/json", 502, """{"error":"agent returned 302"}""" },
        { 202, "", "application/json", 202, "" },
    };

    [Theory]
    [MemberData(nameof(AgentAnswers))]
    public async Task Agent_answers_map_to_the_contract(int agentStatus, string agentBody, string contentType, int status, string body)
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Respond = context =>
        {
            if (agentStatus == 302) context.Response.Headers.Location = "http://169.254.169.254/";
            return TestAgent.Json(context, agentStatus, agentBody, contentType);
        };
        var (caller, target) = await SiblingsAsync(agent.Url);

        var response = await Call(target.Id, V03, caller);

        Assert.Equal(status, response.Status);
        if (body.Length == 0) Assert.Equal("", response.Text);
        else ApiClient.AssertJson(JsonNode.Parse(body), response.Json);
        Assert.Single(agent.Requests); // the redirect was not followed
    }

    [Fact]
    public async Task A_v1_request_and_answer_pass_through_untouched()
    {
        await using var agent = await TestAgent.StartAsync();
        const string answer = """{"jsonrpc":"2.0","id":"v1","result":{"task":{"id":"t-1","status":{"state":"TASK_STATE_COMPLETED"}}}}""";
        agent.Respond = c => TestAgent.Json(c, 200, answer);
        var (caller, target) = await SiblingsAsync(agent.Url);
        var v1 = JsonNode.Parse("""
            {"jsonrpc":"2.0","id":"v1","method":"SendMessage","params":{"message":{"role":"ROLE_USER","messageId":"m-v1","parts":[{"text":"hello"}]},"configuration":{"blocking":true}}}
            """)!;

        var response = await Call(target.Id, v1, caller, new Dictionary<string, string> { ["A2A-Version"] = "1.0", ["A2A-Extensions"] = "https://ext.example/x" });

        Assert.Equal(200, response.Status);
        Assert.Equal(answer, response.Text);
        var received = Assert.Single(agent.Requests);
        ApiClient.AssertJson(v1, JsonNode.Parse(received.Body));
        Assert.Equal("1.0", received.Headers["A2A-Version"]);
        Assert.Equal("https://ext.example/x", received.Headers["A2A-Extensions"]);
    }

    [Fact]
    public async Task An_answer_over_10_MiB_answers_502()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Respond = c => TestAgent.Json(c, 200, $$"""{"pad":"{{new string('x', 10 * 1024 * 1024)}}"}""");
        var (caller, target) = await SiblingsAsync(agent.Url);

        var response = await Call(target.Id, V03, caller);

        response.AssertError(502, "agent response too large");
    }

    [Fact]
    public async Task An_unreachable_agent_answers_502_and_a_slow_one_504()
    {
        await using var agent = await TestAgent.StartAsync();
        var (caller, target) = await SiblingsAsync(agent.Url);
        agent.Respond = async context => { await Task.Delay(3000); await TestAgent.Json(context, 200, "{}"); };

        var slow = await Call(target.Id, V03, caller, new Dictionary<string, string> { ["X-Timeout"] = "1" });
        await agent.DisposeAsync();
        var gone = await Call(target.Id, V03, caller);

        slow.AssertError(504, "workspace agent timed out");
        gone.AssertError(502, "failed to reach workspace agent");
        var rows = (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity", bearer: target.Token)).Array;
        Assert.Equal(new[] { "failed to reach workspace agent", "workspace agent timed out" }, rows.Select(r => r!["error_detail"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Caller_checks_come_in_contract_order()
    {
        var (caller, target) = await SiblingsAsync();
        var stranger = await platform.CreateClaimedAsync("stranger-child", (await platform.CreateClaimedAsync("elsewhere")).Id);

        (await Call(target.Id, V03, headers: new() { ["X-Timeout"] = "0" })).AssertError(400, "invalid header", "X-Timeout: must be an integer between 1 and 225");
        (await Call(target.Id, V03, headers: new() { ["X-Workspace-ID"] = "system:cron" })).AssertError(403, "invalid caller ID");
        (await Call(target.Id, V03, headers: new() { ["X-Workspace-ID"] = "nope" })).AssertError(400, "invalid workspace ID", "X-Workspace-ID");
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{target.Id}/a2a", V03.ToJsonString(), headers: new Dictionary<string, string> { ["X-Workspace-ID"] = caller.Id }))
            .AssertError(401, "missing caller auth token");
        (await Call(target.Id, V03, headers: new() { ["X-Workspace-ID"] = caller.Id }, bearer: target.Token)).AssertError(401, "invalid caller auth token");
        (await Call(target.Id, V03, headers: new() { ["X-Workspace-ID"] = caller.Id }, bearer: platform.AdminToken)).AssertError(401, "invalid caller auth token");
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{target.Id}/a2a", V03.ToJsonString())).AssertError(401, "missing caller auth token");
        (await Call(target.Id, V03, bearer: caller.Token)).AssertError(401, "invalid caller auth token");
        (await Call(target.Id, "not json", caller)).AssertError(400, "invalid JSON");
        (await Call(target.Id, "[1]", caller)).AssertError(400, "invalid JSON", "body: must be a JSON object");
        (await Call(target.Id, new { @params = new { } }, caller)).AssertError(400, "invalid request body", "method: required");
        (await Call(target.Id, V03, stranger)).AssertError(403, "access denied: workspaces cannot communicate per hierarchy rules");
    }

    [Fact]
    public async Task Unclaimed_paused_and_removed_targets()
    {
        var caller = await platform.CreateClaimedAsync("caller");
        var unclaimed = (await platform.CreateWorkspaceAsync("unclaimed"))["id"]!.GetValue<string>();
        var paused = await platform.CreateClaimedAsync("paused");
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{paused.Id}/pause");
        var removed = await platform.CreateClaimedAsync("removed");
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removed.Id}");

        (await Call(unclaimed, V03, caller)).AssertError(404, "workspace not found");
        Assert.Equal(200, (await Call(unclaimed, V03)).Status); // the canvas sees unclaimed workspaces
        (await Call(paused.Id, V03, caller)).AssertError(409, "workspace paused");
        (await Call(removed.Id, V03, caller)).AssertError(410, "workspace removed");
        (await Call(Guid.NewGuid().ToString(), V03, caller)).AssertError(404, "workspace not found");
    }

    [Fact]
    public async Task A_body_over_1_MiB_answers_413()
    {
        var (caller, target) = await SiblingsAsync();

        var response = await Call(target.Id, $$"""{"method":"message/send","pad":"{{new string('x', 1_048_600)}}"}""", caller);

        response.AssertError(413, "request body too large", "limit 1048576 bytes", "payload_too_large");
    }

    [Fact]
    public async Task A_name_that_resolves_public_at_registration_and_private_at_dial_time_is_refused()
    {
        await using var agent = await TestAgent.StartAsync();
        var port = new Uri(agent.Url).Port;
        var answers = new Queue<IPAddress>([IPAddress.Parse("93.184.216.34"), IPAddress.Loopback]);
        await using var strict = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:AllowPrivateAgentUrls"] = "false" }, services =>
        {
            services.Replace(ServiceDescriptor.Singleton(new AgentUrlPolicy((_, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.216.34") }))));
            services.Replace(ServiceDescriptor.Singleton(new SafeDialer(false, (_, _) => Task.FromResult(new[] { IPAddress.Loopback }))));
        });
        var target = await strict.CreateClaimedAsync("rebound");
        Assert.Equal(200, (await strict.RegisterAsync(target.Id, target.Token, url: $"http://agent.rebind.test:{port}/a2a")).Status);

        var response = await strict.SendAsync(HttpMethod.Post, $"/workspaces/{target.Id}/a2a", V03.ToJsonString(), strict.AdminToken);

        response.AssertError(502, "workspace URL is not publicly routable");
        Assert.Empty(agent.Requests);
    }
}
