using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>
/// Every messaging and discovery route against every kind of caller: contract §1.3, §1.4, §1.7 and the route
/// sections (§3.6.1–§3.6.3, §3.8.1, §3.9.2–§3.9.4, §3.10). Each case asserts the exact status and body; a refused
/// call must leave the subject's feed, its delegations, the peer's inbox and the canvas events as they were.
/// </summary>
/// <remarks>
/// World of one case (fresh per case):  parent ─┬─ subject (claimed, registered with a card; one self-report,
///                                              │            one delegation to peer; a second token, revoked)
///                                              ├─ peer (claimed; the sibling — a peer per §1.6)
///                                              └─ removed-peer (claimed, then removed: its token is retired)
///                                      unrelated-root (claimed; a root, so §1.6 denies it the subject)
/// </remarks>
public sealed class MessagingAuthMatrixTests(UnthrottledPlatformFixture fixture) : IClassFixture<UnthrottledPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    public enum Route { GetActivity, PostActivity, Notify, GetDelegations, Delegate, Peers, Discover, AgentCard, A2AAgent, A2ACanvas }

    public enum Caller { OwnToken, OtherWorkspaceToken, PeerToken, AdminToken, NoCredential, BasicAuthorization, RevokedOwnToken, RemovedWorkspaceToken }

    public static TheoryData<Route, Caller> Cases()
    {
        var data = new TheoryData<Route, Caller>();
        foreach (var route in Enum.GetValues<Route>())
            foreach (var caller in Enum.GetValues<Caller>())
                data.Add(route, caller);
        return data;
    }

    private const string Missing = "missing workspace auth token";
    private const string Invalid = "invalid workspace auth token";
    private const string OwnRequired = "this route requires the workspace's own token";
    private const string MissingCaller = "missing caller auth token";
    private const string InvalidCaller = "invalid caller auth token";
    private const string HierarchyDenied = "access denied: workspaces cannot communicate per hierarchy rules";
    private const string DiscoverDenied = "not authorized to discover this workspace";

    private sealed record World(Agent Parent, Agent Subject, Agent Peer, Agent Other, Agent Removed, string RevokedToken, string SeedDelegationId);

    private sealed record Snapshot(JsonArray SubjectFeed, JsonArray PeerFeed, JsonArray SubjectDelegations, int SubjectEvents, int PeerEvents);

    private async Task<World> ArrangeAsync()
    {
        var parent = await platform.CreateClaimedAsync("matrix-parent");
        var subject = await platform.CreateClaimedAsync("subject", parent.Id);
        var peer = await platform.CreateClaimedAsync("peer", parent.Id);
        var other = await platform.CreateClaimedAsync("unrelated-root");
        var removed = await platform.CreateClaimedAsync("removed-peer", parent.Id);
        await platform.RemoveAsync(removed.Id);
        var (revokedId, revoked) = await platform.MintAsync(subject.Id);
        (await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{subject.Id}/tokens/{revokedId}")).AssertStatus(200);
        (await platform.RegisterAsync(subject.Id, subject.Token, card: Messages.V03Card("subject"))).AssertStatus(200);
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{subject.Id}/activity", new { activity_type = "agent_log", summary = "seed" }, subject.Token))
            .AssertStatus(200);
        var seeded = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{peer.Id}/delegate", new { task = "seed task", idempotency_key = "seed" }, subject.Token,
            new Dictionary<string, string> { ["X-Workspace-ID"] = subject.Id });
        seeded.AssertStatus(202);
        return new World(parent, subject, peer, other, removed, revoked, seeded["delegation_id"]!);
    }

    private async Task<Snapshot> SnapshotAsync(World w) => new(
        await platform.FeedAsAdminAsync(w.Subject.Id),
        await platform.FeedAsAdminAsync(w.Peer.Id),
        await platform.DelegationsAsAdminAsync(w.Subject.Id),
        platform.Events.For(w.Subject.Id).Count,
        platform.Events.For(w.Peer.Id).Count);

    private static string? Authorization(Caller caller, World w, string? adminToken) => caller switch
    {
        Caller.OwnToken => "Bearer " + w.Subject.Token,
        Caller.OtherWorkspaceToken => "Bearer " + w.Other.Token,
        Caller.PeerToken => "Bearer " + w.Peer.Token,
        Caller.AdminToken => "Bearer " + adminToken,
        Caller.NoCredential => null,
        Caller.BasicAuthorization => "Basic abc",
        Caller.RevokedOwnToken => "Bearer " + w.RevokedToken,
        Caller.RemovedWorkspaceToken => "Bearer " + w.Removed.Token,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    /// <summary>The id an agent caller names in X-Workspace-ID: the workspace the token was issued to (the peer for callers without a token).</summary>
    private static string CallerId(Caller caller, World w) => caller switch
    {
        Caller.OwnToken or Caller.RevokedOwnToken => w.Subject.Id,
        Caller.OtherWorkspaceToken => w.Other.Id,
        Caller.RemovedWorkspaceToken => w.Removed.Id,
        _ => w.Peer.Id,
    };

    private Task<ApiResponse> CallAsync(Route route, Caller caller, World w)
    {
        var authorization = Authorization(caller, w, platform.AdminToken);
        var s = w.Subject.Id;
        var agentHeader = new Dictionary<string, string> { ["X-Workspace-ID"] = CallerId(caller, w) };
        return route switch
        {
            Route.GetActivity => Send(HttpMethod.Get, $"/workspaces/{s}/activity"),
            Route.PostActivity => Send(HttpMethod.Post, $"/workspaces/{s}/activity", """{"activity_type":"agent_log","summary":"matrix report"}"""),
            Route.Notify => Send(HttpMethod.Post, $"/workspaces/{s}/notify", """{"message":"matrix note"}"""),
            Route.GetDelegations => Send(HttpMethod.Get, $"/workspaces/{s}/delegations"),
            // the SDK's shape: target in the path, the source (always the subject) in X-Workspace-ID
            Route.Delegate => Send(HttpMethod.Post, $"/workspaces/{w.Peer.Id}/delegate",
                new JsonObject { ["task"] = "matrix task", ["idempotency_key"] = Guid.NewGuid().ToString("N") }.ToJsonString(),
                new Dictionary<string, string> { ["X-Workspace-ID"] = s }),
            Route.Peers => Send(HttpMethod.Get, $"/registry/{s}/peers"),
            Route.Discover => Send(HttpMethod.Get, $"/registry/discover/{s}", headers: agentHeader),
            Route.AgentCard => Send(HttpMethod.Get, $"/workspaces/{s}/.well-known/agent-card.json"),
            Route.A2AAgent => Send(HttpMethod.Post, $"/workspaces/{s}/a2a", Messages.MessageSend("matrix hello").ToJsonString(), agentHeader),
            Route.A2ACanvas => Send(HttpMethod.Post, $"/workspaces/{s}/a2a", Messages.MessageSend("matrix hello").ToJsonString()),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };

        Task<ApiResponse> Send(HttpMethod method, string path, string? body = null, Dictionary<string, string>? headers = null) =>
            platform.SendAsync(method, path, rawBody: body, authorization: authorization, headers: headers);
    }

    /// <summary>§1.7 and the route sections: null when the caller is allowed, else the exact refusal.</summary>
    private static (int Status, string Error)? Refusal(Route route, Caller caller)
    {
        var noCredential = caller is Caller.NoCredential or Caller.BasicAuthorization; // §1.3: "Basic abc" is no credential
        switch (route)
        {
            case Route.GetActivity or Route.GetDelegations: // admin or own
                if (caller is Caller.OwnToken or Caller.AdminToken) return null;
                return noCredential ? (401, Missing) : (401, Invalid);
            case Route.PostActivity or Route.Notify or Route.Peers or Route.Delegate: // own only; admin 403
                if (caller is Caller.OwnToken) return null;
                if (caller is Caller.AdminToken) return (403, OwnRequired);
                return noCredential ? (401, Missing) : (401, Invalid);
            case Route.Discover: // caller = X-Workspace-ID with its own token; target per §1.6
                if (caller is Caller.OwnToken or Caller.PeerToken) return null;
                if (caller is Caller.AdminToken) return (403, OwnRequired);
                if (caller is Caller.OtherWorkspaceToken) return (403, DiscoverDenied);
                return noCredential ? (401, Missing) : (401, Invalid);
            case Route.AgentCard: // admin, own, or a peer's token
                if (caller is Caller.OwnToken or Caller.PeerToken or Caller.AdminToken) return null;
                if (caller is Caller.OtherWorkspaceToken) return (403, HierarchyDenied);
                return noCredential ? (401, Missing) : (401, Invalid);
            case Route.A2AAgent: // X-Workspace-ID present: the bearer must be a live token of that caller (§3.8.1 step 2)
                if (caller is Caller.OwnToken or Caller.PeerToken) return null;
                if (caller is Caller.OtherWorkspaceToken) return (403, HierarchyDenied);
                return noCredential ? (401, MissingCaller) : (401, InvalidCaller);
            case Route.A2ACanvas: // no X-Workspace-ID: only the admin token (§3.8.1 step 3)
                if (caller is Caller.AdminToken) return null;
                return noCredential ? (401, MissingCaller) : (401, InvalidCaller);
            default:
                throw new ArgumentOutOfRangeException(nameof(route));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_the_contract_answer(Route route, Caller caller)
    {
        var world = await ArrangeAsync();
        var before = await SnapshotAsync(world);

        var response = await CallAsync(route, caller, world);

        if (Refusal(route, caller) is { } refusal)
        {
            response.AssertBody(refusal.Status, Messages.Error(refusal.Error));
            await AssertNothingWrittenAsync(world, before);
        }
        else
        {
            await AssertAcceptedAsync(route, caller, world, before, response);
        }
    }

    private async Task AssertNothingWrittenAsync(World w, Snapshot before)
    {
        var after = await SnapshotAsync(w);
        ApiClient.AssertJson(before.SubjectFeed, after.SubjectFeed);
        ApiClient.AssertJson(before.PeerFeed, after.PeerFeed);
        ApiClient.AssertJson(before.SubjectDelegations, after.SubjectDelegations);
        Assert.Equal(before.SubjectEvents, after.SubjectEvents);
        Assert.Equal(before.PeerEvents, after.PeerEvents);
    }

    private async Task AssertAcceptedAsync(Route route, Caller caller, World w, Snapshot before, ApiResponse response)
    {
        var s = w.Subject.Id;
        switch (route)
        {
            case Route.GetActivity:
                // own and admin see the same feed: the seeded delegation's tracking row, then the seeded self-report
                response.AssertBody(200, before.SubjectFeed);
                Assert.Equal(new[] { "delegation", "agent_log" }, before.SubjectFeed.Ids("activity_type"));
                break;
            case Route.GetDelegations:
                response.AssertBody(200, before.SubjectDelegations);
                Assert.Equal(new[] { w.SeedDelegationId }, before.SubjectDelegations.Ids("delegation_id"));
                break;
            case Route.PostActivity:
            {
                response.AssertStatus(200);
                Assert.Equal(new[] { "status", "id" }, response.Object.Select(p => p.Key));
                Assert.Equal("logged", response["status"]);
                Assert.Matches(Messages.UlidPattern, response["id"]!);
                var feed = await platform.FeedAsAdminAsync(s);
                Assert.Equal(new[] { response["id"]! }.Concat(before.SubjectFeed.Ids()), feed.Ids());
                Assert.Equal("matrix report", feed[0]!["summary"]!.GetValue<string>());
                break;
            }
            case Route.Notify:
            {
                response.AssertBody(200, JsonNode.Parse("""{"status":"sent"}""")!);
                var feed = await platform.FeedAsAdminAsync(s);
                Assert.Equal(before.SubjectFeed.Count + 1, feed.Count);
                Assert.Equal("agent_message", feed[0]!["activity_type"]!.GetValue<string>());
                Assert.Equal("matrix note", feed[0]!["summary"]!.GetValue<string>());
                break;
            }
            case Route.Delegate:
            {
                response.AssertStatus(202);
                var id = response["delegation_id"]!;
                ApiClient.AssertJson(new JsonObject { ["delegation_id"] = id, ["status"] = "queued", ["target_id"] = w.Peer.Id }, response.Json);
                Assert.Equal(new[] { id, w.SeedDelegationId }, (await platform.DelegationsAsAdminAsync(s)).Ids("delegation_id"));
                var inbox = await platform.FeedAsAdminAsync(w.Peer.Id);
                Assert.Equal(before.PeerFeed.Count + 1, inbox.Count);
                Assert.Equal(id, inbox[0]!["request_body"]!["params"]!["message"]!["messageId"]!.GetValue<string>());
                break;
            }
            case Route.Peers:
                // siblings (the removed one excluded), then children (none), then the parent
                response.AssertBody(200, new JsonArray(PeerView(w.Peer.Id, "peer", w.Parent.Id), PeerView(w.Parent.Id, "matrix-parent", null)));
                break;
            case Route.Discover:
                response.AssertBody(200, new JsonObject { ["id"] = s, ["url"] = platform.ProxyAddress(s), ["name"] = "subject" });
                break;
            case Route.AgentCard:
                response.AssertBody(200, platform.ServedV03Card("subject", s));
                Assert.Equal("private, max-age=60", response.Header("Cache-Control"));
                break;
            case Route.A2AAgent or Route.A2ACanvas:
            {
                response.AssertStatus(200);
                var activityId = response["activity_id"]!;
                ApiClient.AssertJson(new JsonObject
                {
                    ["status"] = "queued", ["delivery_mode"] = "poll", ["method"] = "message/send", ["activity_id"] = activityId,
                }, response.Json);
                var feed = await platform.FeedAsAdminAsync(s);
                Assert.Equal(new[] { activityId }.Concat(before.SubjectFeed.Ids()), feed.Ids());
                var row = feed[0]!;
                var canvas = route == Route.A2ACanvas;
                Assert.Equal(canvas ? null : CallerId(caller, w), row["source_id"]?.GetValue<string>());
                Assert.Equal(canvas ? "canvas_user" : "peer_agent", row["data"]!["source"]!.GetValue<string>());
                Assert.Equal("matrix hello", row["data"]!["text"]!.GetValue<string>());
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(route));
        }
    }

    // ── the subject itself removed: its own token is retired (§1.2, §3 preamble) ─────────────

    public static TheoryData<Route> Routes()
    {
        var data = new TheoryData<Route>();
        foreach (var route in Enum.GetValues<Route>()) data.Add(route);
        return data;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_own_token_of_a_removed_workspace_is_refused(Route route)
    {
        var world = await ArrangeAsync();
        await platform.RemoveAsync(world.Subject.Id);
        var before = await SnapshotAsync(world);

        var response = await CallAsync(route, Caller.OwnToken, world);

        var error = route is Route.A2AAgent or Route.A2ACanvas ? InvalidCaller : Invalid;
        response.AssertBody(401, Messages.Error(error));
        await AssertNothingWrittenAsync(world, before);
    }

    [Fact]
    public async Task The_admin_still_reads_a_removed_workspaces_feed_and_delegations()
    {
        var world = await ArrangeAsync();
        var feed = await platform.FeedAsAdminAsync(world.Subject.Id);
        await platform.RemoveAsync(world.Subject.Id);

        var activity = await CallAsync(Route.GetActivity, Caller.AdminToken, world);
        var delegations = await CallAsync(Route.GetDelegations, Caller.AdminToken, world);

        activity.AssertBody(200, feed);
        Assert.Equal(new[] { world.SeedDelegationId }, delegations.Array.Ids("delegation_id"));
    }

    // ── authentication comes before the body (§1.4 order) ──────────────────────────────────

    public static TheoryData<Route, Caller> BodyRoutes()
    {
        var data = new TheoryData<Route, Caller>();
        foreach (var route in new[] { Route.PostActivity, Route.Notify, Route.Delegate, Route.A2AAgent, Route.A2ACanvas })
            foreach (var caller in new[] { Caller.NoCredential, Caller.OtherWorkspaceToken, Caller.RevokedOwnToken })
                data.Add(route, caller);
        return data;
    }

    [Theory]
    [MemberData(nameof(BodyRoutes))]
    public async Task A_refused_caller_gets_401_even_when_the_body_is_not_JSON(Route route, Caller caller)
    {
        var world = await ArrangeAsync();
        var before = await SnapshotAsync(world);
        var s = world.Subject.Id;
        var (path, header) = route switch
        {
            Route.PostActivity => ($"/workspaces/{s}/activity", null),
            Route.Notify => ($"/workspaces/{s}/notify", null),
            Route.Delegate => ($"/workspaces/{world.Peer.Id}/delegate", s),
            // X-Workspace-ID names the subject: a token of another workspace is then not the caller's (§3.8.1 step 2);
            // a caller authenticated as itself would reach the body check (step 4) before the hierarchy (step 6)
            Route.A2AAgent => ($"/workspaces/{s}/a2a", s),
            _ => ($"/workspaces/{s}/a2a", (string?)null),
        };

        var response = await platform.SendAsync(HttpMethod.Post, path, rawBody: "{not json", authorization: Authorization(caller, world, platform.AdminToken),
            headers: header is null ? null : new Dictionary<string, string> { ["X-Workspace-ID"] = header });

        var a2a = route is Route.A2AAgent or Route.A2ACanvas;
        var error = caller == Caller.NoCredential ? (a2a ? MissingCaller : Missing) : (a2a ? InvalidCaller : Invalid);
        response.AssertBody(401, Messages.Error(error));
        await AssertNothingWrittenAsync(world, before);
    }

    [Fact]
    public async Task A_refused_delegator_gets_401_before_its_target_id_is_validated()
    {
        var world = await ArrangeAsync();
        var before = await SnapshotAsync(world);

        // body shape: the source is the path id, so the bearer can be judged before the body (§1.4, §0.2)
        var response = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{world.Subject.Id}/delegate",
            new { target_id = "not-a-uuid", task = "t" }, world.Other.Token);

        response.AssertBody(401, Messages.Error(Invalid));
        await AssertNothingWrittenAsync(world, before);
    }

    private JsonObject PeerView(string id, string name, string? parentId) => new()
    {
        ["id"] = id, ["name"] = name, ["tier"] = 1, ["status"] = "awaiting_agent", ["url"] = platform.ProxyAddress(id),
        ["parent_id"] = parentId, ["active_tasks"] = 0, ["role"] = "", ["agent_card"] = null,
    };
}
