using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>
/// The messaging requests of molecule_agent.RemoteAgentClient exactly as the SDK builds them (client.py: fetch_inbound,
/// reply, call_peer): Origin = platform URL and the cached bearer on every call, X-Workspace-ID on peer calls,
/// X-Source-Workspace-Id on replies to peers. Register, heartbeat and the state poll come from <see cref="SdkAgent"/>.
/// </summary>
public sealed class SdkMessagingAgent(TestPlatform platform, string workspaceId)
{
    public SdkAgent Sdk { get; } = new(platform, workspaceId);
    public string Id => Sdk.WorkspaceId;

    private Dictionary<string, string> Headers(params (string Name, string Value)[] extra)
    {
        var headers = new Dictionary<string, string> { ["Origin"] = platform.Base() };
        foreach (var (name, value) in extra) headers[name] = value;
        return headers;
    }

    /// <summary>fetch_inbound(since_id, limit, peer_id, before_ts): params in the SDK's order.</summary>
    public Task<ApiResponse> FetchInboundAsync(string? sinceId = null, int limit = 100, string? peerId = null, string? beforeTs = null)
    {
        var query = $"type=a2a_receive&limit={limit}" + (sinceId is null ? "" : $"&since_id={Uri.EscapeDataString(sinceId)}")
            + (peerId is null ? "" : $"&peer_id={peerId}") + (beforeTs is null ? "" : $"&before_ts={Uri.EscapeDataString(beforeTs)}");
        return platform.SendAsync(HttpMethod.Get, $"/workspaces/{Id}/activity?{query}", bearer: Sdk.Token, headers: Headers());
    }

    /// <summary>call_peer(target, text, prefer_direct=False): POST /workspaces/:t/a2a, role user.</summary>
    public Task<ApiResponse> CallPeerAsync(string targetId, string text) =>
        platform.SendAsync(HttpMethod.Post, $"/workspaces/{targetId}/a2a", Messages.MessageSend(text).ToJsonString(), Sdk.Token,
            Headers(("X-Workspace-ID", Id)));

    /// <summary>reply(msg, text) to a canvas_user message: POST /workspaces/:self/notify {"message"}.</summary>
    public Task<ApiResponse> ReplyToCanvasAsync(string text) =>
        platform.SendAsync(HttpMethod.Post, $"/workspaces/{Id}/notify", new JsonObject { ["message"] = text }.ToJsonString(), Sdk.Token, Headers());

    /// <summary>reply(msg, text) to a peer_agent message: POST /workspaces/:peer/a2a, role agent, both caller headers.</summary>
    public Task<ApiResponse> ReplyToPeerAsync(string peerId, string text) =>
        platform.SendAsync(HttpMethod.Post, $"/workspaces/{peerId}/a2a", Messages.MessageSend(text, role: "agent").ToJsonString(), Sdk.Token,
            Headers(("X-Source-Workspace-Id", Id), ("X-Workspace-ID", Id)));
}

/// <summary>The SDK's poll-mode life over HTTP (§6 poll-mode rows, §3.8.3, §3.9.2, §3.9.3).</summary>
public sealed class PollModeSdkSequenceTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    /// <summary>Two unclaimed siblings under a fresh lead; each claims its workspace with a bearer-less register.</summary>
    private async Task<(SdkMessagingAgent Agent, SdkMessagingAgent Peer)> ClaimPairAsync()
    {
        var lead = await platform.CreateClaimedAsync("sdk-lead");
        var agent = new SdkMessagingAgent(platform, RegistryApi.Id(await platform.CreateWorkspaceAsync("sdk-bravo", lead.Id)));
        var peer = new SdkMessagingAgent(platform, RegistryApi.Id(await platform.CreateWorkspaceAsync("sdk-alpha", lead.Id)));
        foreach (var a in new[] { agent, peer })
        {
            var registered = await a.Sdk.RegisterAsync();
            registered.AssertStatus(200);
            Assert.Matches(RegistryApi.TokenPattern, a.Sdk.Token!);
        }
        return (agent, peer);
    }

    private static List<string> Texts(ApiResponse r) => r.Array.Select(x => x!["data"]!["text"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Register_heartbeat_poll_reply_to_canvas_and_peer_then_state()
    {
        // register (first run, no bearer) claims; heartbeat
        var lead = await platform.CreateClaimedAsync("sdk-lead");
        var agent = new SdkMessagingAgent(platform, RegistryApi.Id(await platform.CreateWorkspaceAsync("sdk-bravo", lead.Id)));
        var peer = new SdkMessagingAgent(platform, RegistryApi.Id(await platform.CreateWorkspaceAsync("sdk-alpha", lead.Id)));
        var registered = await agent.Sdk.RegisterAsync();
        (await peer.Sdk.RegisterAsync()).AssertStatus(200);
        var claimed = RegistryApi.Registered(agent.Id, "poll");
        claimed["auth_token"] = agent.Sdk.Token;
        registered.AssertBody(200, claimed);
        (await agent.Sdk.HeartbeatAsync()).AssertBody(200, RegistryApi.HeartbeatOk("online"));

        // a first message is waiting; the first poll (no cursor) returns the newest 100 inbox rows oldest first
        var m0 = await peer.CallPeerAsync(agent.Id, "m0 from alpha");
        m0.AssertStatus(200);
        var first = await agent.FetchInboundAsync();
        first.AssertStatus(200);
        Assert.Equal(new[] { m0["activity_id"]! }, first.Array.Ids());
        var row0 = first.Array[0]!;
        ApiClient.AssertJson(new JsonObject
        {
            ["source"] = "peer_agent", ["kind"] = "peer_agent", ["text"] = "m0 from alpha", ["peer_id"] = peer.Id, ["activity_id"] = m0["activity_id"],
            ["peer_name"] = "sdk-alpha", ["peer_role"] = "", ["agent_card_url"] = $"{platform.Base()}/registry/discover/{peer.Id}",
        }, row0["data"]);
        var cursor = m0["activity_id"]!;

        // the peer sends two messages, the canvas one
        var m1 = await peer.CallPeerAsync(agent.Id, "m1 from alpha");
        var m2 = await peer.CallPeerAsync(agent.Id, "m2 from alpha");
        var c1 = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/a2a", Messages.MessageSend("c1 from the canvas").ToJsonString(), platform.AdminToken);
        foreach (var queued in new[] { m1, m2, c1 })
            queued.AssertBody(200, new JsonObject { ["status"] = "queued", ["delivery_mode"] = "poll", ["method"] = "message/send", ["activity_id"] = queued["activity_id"] });

        // the next poll from the cursor returns only the new rows, oldest first
        (await agent.Sdk.HeartbeatAsync()).AssertStatus(200);
        var next = await agent.FetchInboundAsync(cursor);
        next.AssertStatus(200);
        Assert.Equal(new[] { m1["activity_id"]!, m2["activity_id"]!, c1["activity_id"]! }, next.Array.Ids());
        Assert.Equal(new[] { "m1 from alpha", "m2 from alpha", "c1 from the canvas" }, Texts(next));
        Assert.Equal(new[] { "peer_agent", "peer_agent", "canvas_user" }, next.Array.Select(r => r!["data"]!["source"]!.GetValue<string>()));
        Assert.Null(next.Array[2]!["source_id"]);
        cursor = c1["activity_id"]!;

        // reply to the canvas: notify; it is an agent_message row and never comes back through the inbox
        var toCanvas = await agent.ReplyToCanvasAsync("ack: c1");
        toCanvas.AssertBody(200, JsonNode.Parse("""{"status":"sent"}""")!);
        (await agent.FetchInboundAsync(cursor)).AssertBody(200, new JsonArray());
        var fresh = await agent.FetchInboundAsync();
        Assert.Equal(new[] { m0["activity_id"]!, m1["activity_id"]!, m2["activity_id"]!, c1["activity_id"]! }, fresh.Array.Ids());
        var notes = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{agent.Id}/activity?type=agent_message", bearer: agent.Sdk.Token);
        Assert.Equal("ack: c1", Assert.Single(notes.Array)!["summary"]!.GetValue<string>());
        var said = Assert.Single(platform.Events.For(agent.Id, EventNames.AgentMessage));
        Assert.Equal("ack: c1", said.Payload["message"]!.GetValue<string>());

        // reply to the peer: a JSON-RPC message/send with role agent through the proxy; it lands in the peer's inbox
        var toPeer = await agent.ReplyToPeerAsync(peer.Id, "ack: m1");
        toPeer.AssertStatus(200);
        ApiClient.AssertJson(new JsonObject
        {
            ["status"] = "queued", ["delivery_mode"] = "poll", ["method"] = "message/send", ["activity_id"] = toPeer["activity_id"],
        }, toPeer.Json);
        var peerInbox = await peer.FetchInboundAsync();
        var reply = Assert.Single(peerInbox.Array)!;
        Assert.Equal(toPeer["activity_id"], reply["id"]!.GetValue<string>());
        Assert.Equal(agent.Id, reply["source_id"]!.GetValue<string>());
        Assert.Equal("peer_agent", reply["data"]!["source"]!.GetValue<string>());
        Assert.Equal(agent.Id, reply["data"]!["peer_id"]!.GetValue<string>());
        Assert.Equal("sdk-bravo", reply["data"]!["peer_name"]!.GetValue<string>());
        Assert.Equal("ack: m1", reply["data"]!["text"]!.GetValue<string>());
        Assert.Equal("agent", reply["request_body"]!["params"]!["message"]!["role"]!.GetValue<string>()); // handlers use this to not answer replies
        Assert.Equal("message/send from sdk-bravo", reply["summary"]!.GetValue<string>());
        // the replier's own feed got nothing from its reply to the peer
        (await agent.FetchInboundAsync(cursor)).AssertBody(200, new JsonArray());

        // the state poll ends the loop's tick
        var state = await agent.Sdk.PollStateAsync();
        state.AssertStatus(200);
        ApiClient.AssertJson(new JsonObject
        {
            ["workspace_id"] = agent.Id, ["status"] = "online", ["paused"] = false, ["deleted"] = false,
            ["last_heartbeat_at"] = state["last_heartbeat_at"],
        }, state.Json);
        Assert.Matches(RegistryApi.TimestampPattern, state["last_heartbeat_at"]!);
    }

    [Fact]
    public async Task A_cursor_that_was_never_a_row_answers_410_and_the_reset_poll_works()
    {
        var (agent, peer) = await ClaimPairAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await peer.CallPeerAsync(agent.Id, $"m{i}"))["activity_id"]!);
        var neverARow = "01ARZ3NDEKTSV4RRFFQ69G5FAV"; // a well-formed ULID from 2016

        var lost = await agent.FetchInboundAsync(neverARow);
        var reset = await agent.FetchInboundAsync(); // PollDelivery: CursorLostError → cursor = None → plain poll

        lost.AssertBody(410, Messages.Error("cursor lost"));
        reset.AssertStatus(200);
        Assert.Equal(ids, reset.Array.Ids());
        Assert.Equal(new[] { "m0", "m1", "m2" }, Texts(reset));
        (await agent.FetchInboundAsync(ids[^1])).AssertBody(200, new JsonArray());
    }

    [Fact]
    public async Task A_restart_redelivery_is_bounded_by_limit()
    {
        var (agent, peer) = await ClaimPairAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await peer.CallPeerAsync(agent.Id, $"m{i}"))["activity_id"]!);

        // restart: register again without a bearer (no-op, the cached token is kept), then a cursor-less poll with limit=2
        var again = await agent.Sdk.RegisterAsync();
        var firstPoll = await agent.FetchInboundAsync(limit: 2);

        again.AssertBody(200, JsonNode.Parse("""{"status":"registered"}""")!);
        firstPoll.AssertStatus(200);
        Assert.Equal(ids.Skip(3), firstPoll.Array.Ids()); // exactly the newest 2, oldest first
        Assert.Equal(new[] { "m3", "m4" }, Texts(firstPoll));
        (await agent.FetchInboundAsync(ids[^1], limit: 2)).AssertBody(200, new JsonArray());
    }

    [Fact]
    public async Task Peer_and_time_filters_combine_with_the_cursor_oldest_first()
    {
        var (agent, alpha) = await ClaimPairAsync();
        var lead = (await platform.GetAsAdminAsync(agent.Id))["parent_id"]!.GetValue<string>();
        var charlie = new SdkMessagingAgent(platform, RegistryApi.Id(await platform.CreateWorkspaceAsync("sdk-charlie", lead)));
        (await charlie.Sdk.RegisterAsync()).AssertStatus(200);
        async Task<string> Send(Func<Task<ApiResponse>> send)
        {
            await Task.Delay(20); // distinct created_at milliseconds
            var response = await send();
            response.AssertStatus(200);
            return response["activity_id"]!;
        }
        var a1 = await Send(() => alpha.CallPeerAsync(agent.Id, "a1"));
        var c1 = await Send(() => charlie.CallPeerAsync(agent.Id, "c1"));
        var canvas = await Send(() => platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/a2a", Messages.MessageSend("canvas").ToJsonString(), platform.AdminToken));
        var a2 = await Send(() => alpha.CallPeerAsync(agent.Id, "a2"));
        var all = (await agent.FetchInboundAsync()).Array;
        var a2At = all.Single(r => r!["id"]!.GetValue<string>() == a2)!["created_at"]!.GetValue<string>();

        var fromAlpha = await agent.FetchInboundAsync(peerId: alpha.Id);
        var fromAlphaAfter = await agent.FetchInboundAsync(a1, peerId: alpha.Id);
        var beforeA2 = await agent.FetchInboundAsync(a1, beforeTs: a2At);

        Assert.Equal(new[] { a1, c1, canvas, a2 }, all.Ids());
        Assert.Equal(new[] { a1, a2 }, fromAlpha.Array.Ids());
        Assert.Equal(new[] { a2 }, fromAlphaAfter.Array.Ids());
        Assert.Equal(new[] { c1, canvas }, beforeA2.Array.Ids());
    }
}
