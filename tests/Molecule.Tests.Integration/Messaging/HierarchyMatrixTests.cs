using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>
/// One tree, built once for this class on its own LocalHost:
/// <code>
///   root ─┬─ a ─┬─ a1          r2 (a second root)
///         │     └─ u (unclaimed)
///         └─ b ── b1
/// </code>
/// Every claimed workspace registered with a v0.3 card (poll mode).
/// </summary>
public sealed class HierarchyTreeFixture : IAsyncLifetime
{
    public TestPlatform Platform { get; private set; } = null!;
    public Dictionary<string, Agent> Tree { get; } = new();
    public Dictionary<string, string> Names { get; } = new();

    public async Task InitializeAsync()
    {
        Platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "1000000" });
        async Task Claimed(string key, string? parent)
        {
            var name = "tree-" + key;
            var agent = await Platform.CreateClaimedAsync(name, parent is null ? null : Tree[parent].Id);
            (await Platform.RegisterAsync(agent.Id, agent.Token, card: Messages.V03Card(name))).AssertStatus(200);
            Tree[key] = agent;
            Names[key] = name;
        }
        await Claimed("root", null);
        await Claimed("a", "root");
        await Claimed("a1", "a");
        await Claimed("b", "root");
        await Claimed("b1", "b");
        await Claimed("r2", null);
        Tree["u"] = new Agent((await Platform.CreateWorkspaceAsync("tree-u", Tree["a"].Id))["id"]!.GetValue<string>(), null);
        Names["u"] = "tree-u";
    }

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

/// <summary>The hierarchy rule (§1.6) and agent visibility (§1.5) on the A2A proxy, discover, the agent card and delegation.</summary>
public sealed class HierarchyMatrixTests(HierarchyTreeFixture fixture) : IClassFixture<HierarchyTreeFixture>
{
    private readonly TestPlatform platform = fixture.Platform;
    private Agent W(string key) => fixture.Tree[key];

    public enum Route { A2A, Discover, AgentCard, Delegate }

    private const string HierarchyDenied = "access denied: workspaces cannot communicate per hierarchy rules";

    /// <summary>(from, to, relation) pairs §1.6 allows.</summary>
    private static readonly (string From, string To)[] AllowedPairs =
    [
        ("a", "b"), ("b", "a"),         // siblings
        ("root", "r2"), ("r2", "root"), // root peers (both parent_id null)
        ("a", "a1"), ("a1", "a"),       // parent / child
        ("root", "a1"), ("b1", "root"), // ancestor / descendant, both directions
    ];

    /// <summary>Pairs §1.6 denies.</summary>
    private static readonly (string From, string To)[] DeniedPairs =
    [
        ("a1", "b1"), ("b1", "a1"),     // cousins
        ("a1", "b"), ("b", "a1"),       // aunt and niece
        ("r2", "a1"), ("a1", "r2"),     // other tree
        ("r2", "b"),
    ];

    public static TheoryData<Route, string, string> Allowed() => Combine(AllowedPairs);
    public static TheoryData<Route, string, string> Denied() => Combine(DeniedPairs);

    private static TheoryData<Route, string, string> Combine((string From, string To)[] pairs)
    {
        var data = new TheoryData<Route, string, string>();
        foreach (var route in Enum.GetValues<Route>())
            foreach (var (from, to) in pairs)
                data.Add(route, from, to);
        return data;
    }

    private Task<ApiResponse> CallAsync(Route route, Agent from, string to)
    {
        var caller = new Dictionary<string, string> { ["X-Workspace-ID"] = from.Id };
        return route switch
        {
            Route.A2A => platform.SendAsync(HttpMethod.Post, $"/workspaces/{to}/a2a", Messages.MessageSend($"hello from {from.Id}").ToJsonString(), from.Token, caller),
            Route.Discover => platform.SendAsync(HttpMethod.Get, $"/registry/discover/{to}", bearer: from.Token, headers: caller),
            Route.AgentCard => platform.SendAsync(HttpMethod.Get, $"/workspaces/{to}/.well-known/agent-card.json", bearer: from.Token),
            Route.Delegate => platform.SendAsync(HttpMethod.Post, $"/workspaces/{to}/delegate",
                new JsonObject { ["task"] = $"task from {from.Id}", ["idempotency_key"] = Guid.NewGuid().ToString("N") }.ToJsonString(), from.Token, caller),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public async Task Allowed_relations_reach_the_target(Route route, string from, string to)
    {
        var (caller, target) = (W(from), W(to));
        var inboxBefore = await platform.FeedAsAdminAsync(target.Id);

        var response = await CallAsync(route, caller, target.Id);

        switch (route)
        {
            case Route.A2A:
                response.AssertStatus(200);
                ApiClient.AssertJson(new JsonObject
                {
                    ["status"] = "queued", ["delivery_mode"] = "poll", ["method"] = "message/send", ["activity_id"] = response["activity_id"],
                }, response.Json);
                await AssertLandedAsync(target, caller, response["activity_id"]!, inboxBefore.Count);
                break;
            case Route.Discover:
                response.AssertBody(200, new JsonObject { ["id"] = target.Id, ["url"] = platform.ProxyAddress(target.Id), ["name"] = fixture.Names[to] });
                break;
            case Route.AgentCard:
                response.AssertBody(200, platform.ServedV03Card(fixture.Names[to], target.Id));
                break;
            case Route.Delegate:
                response.AssertStatus(202);
                ApiClient.AssertJson(new JsonObject { ["delegation_id"] = response["delegation_id"], ["status"] = "queued", ["target_id"] = target.Id }, response.Json);
                var inbox = await platform.FeedAsAdminAsync(target.Id);
                Assert.Equal(inboxBefore.Count + 1, inbox.Count);
                Assert.Equal(response["delegation_id"], inbox[0]!["request_body"]!["params"]!["message"]!["messageId"]!.GetValue<string>());
                Assert.Equal(caller.Id, inbox[0]!["data"]!["peer_id"]!.GetValue<string>());
                break;
        }
    }

    private async Task AssertLandedAsync(Agent target, Agent caller, string activityId, int countBefore)
    {
        var inbox = await platform.FeedAsAdminAsync(target.Id);
        Assert.Equal(countBefore + 1, inbox.Count);
        Assert.Equal(activityId, inbox[0]!["id"]!.GetValue<string>());
        Assert.Equal(caller.Id, inbox[0]!["data"]!["peer_id"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Denied))]
    public async Task Denied_relations_get_the_routes_403_and_nothing_is_written(Route route, string from, string to)
    {
        var (caller, target) = (W(from), W(to));
        var targetFeed = await platform.FeedAsAdminAsync(target.Id);
        var callerDelegations = await platform.DelegationsAsAdminAsync(caller.Id);
        var callerFeed = await platform.FeedAsAdminAsync(caller.Id);

        var response = await CallAsync(route, caller, target.Id);

        var error = route == Route.Discover ? "not authorized to discover this workspace" : HierarchyDenied;
        response.AssertBody(403, Messages.Error(error));
        ApiClient.AssertJson(targetFeed, await platform.FeedAsAdminAsync(target.Id));
        ApiClient.AssertJson(callerDelegations, await platform.DelegationsAsAdminAsync(caller.Id));
        ApiClient.AssertJson(callerFeed, await platform.FeedAsAdminAsync(caller.Id));
    }

    // ── the unclaimed child u of a ─────────────────────────────────────────────────────────

    public static TheoryData<Route, string> UnclaimedCases()
    {
        var data = new TheoryData<Route, string>();
        foreach (var route in Enum.GetValues<Route>())
            foreach (var from in new[] { "a", "a1", "root" }) // its parent, its sibling, its grandparent: all allowed by §1.6 were it claimed
                data.Add(route, from);
        return data;
    }

    [Theory]
    [MemberData(nameof(UnclaimedCases))]
    public async Task The_unclaimed_workspace_is_not_found_for_agents(Route route, string from)
    {
        var u = W("u").Id;
        var feed = await platform.FeedAsAdminAsync(u);
        var delegations = await platform.DelegationsAsAdminAsync(W(from).Id);

        var response = await CallAsync(route, W(from), u);

        response.AssertBody(404, Messages.Error("workspace not found"));
        ApiClient.AssertJson(feed, await platform.FeedAsAdminAsync(u));
        ApiClient.AssertJson(delegations, await platform.DelegationsAsAdminAsync(W(from).Id));
    }

    [Fact]
    public async Task The_unclaimed_workspace_is_absent_from_peers()
    {
        var ofParent = await platform.SendAsync(HttpMethod.Get, $"/registry/{W("a").Id}/peers", bearer: W("a").Token);
        var ofSibling = await platform.SendAsync(HttpMethod.Get, $"/registry/{W("a1").Id}/peers", bearer: W("a1").Token);

        ofParent.AssertStatus(200);
        Assert.Equal(new[] { W("b").Id, W("a1").Id, W("root").Id }, ofParent.Array.Ids()); // siblings, children, parent
        ofSibling.AssertStatus(200);
        Assert.Equal(new[] { W("a").Id }, ofSibling.Array.Ids());
    }

    [Fact]
    public async Task The_unclaimed_workspace_is_visible_to_the_admin_and_the_canvas()
    {
        var u = W("u").Id;

        var read = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{u}");
        var list = await platform.AdminAsync(HttpMethod.Get, "/workspaces");
        var canvas = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{u}/a2a", Messages.MessageSend("hello unclaimed").ToJsonString(), platform.AdminToken);
        var card = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{u}/.well-known/agent-card.json");

        read.AssertStatus(200);
        Assert.False(read.Json!["claimed"]!.GetValue<bool>());
        Assert.Equal(W("a").Id, read["parent_id"]);
        Assert.Contains(u, list.Array.Ids());
        canvas.AssertStatus(200);
        ApiClient.AssertJson(new JsonObject
        {
            ["status"] = "queued", ["delivery_mode"] = "poll", ["method"] = "message/send", ["activity_id"] = canvas["activity_id"],
        }, canvas.Json);
        var row = (await platform.FeedAsAdminAsync(u))[0]!;
        Assert.Equal(canvas["activity_id"], row["id"]!.GetValue<string>());
        Assert.Equal("canvas_user", row["data"]!["source"]!.GetValue<string>());
        card.AssertBody(404, Messages.Error("agent card not available")); // found, it just has no card yet
    }

    // ── a removed workspace keeps its place in the tree (§1.6: the rule ignores status) ─────

    [Theory]
    [InlineData(Route.A2A, "b1", 410, "workspace removed")]
    [InlineData(Route.AgentCard, "b1", 410, "workspace removed")]
    [InlineData(Route.Delegate, "b1", 410, "workspace removed")]
    [InlineData(Route.Discover, "b1", 404, "workspace not found")]
    [InlineData(Route.A2A, "a1", 403, HierarchyDenied)]       // §3.8.1: the hierarchy (6) before removed (7)
    [InlineData(Route.Delegate, "a1", 403, HierarchyDenied)]  // §3.10.1: §1.6 denies → 403, then removed → 410
    public async Task A_removed_workspace_answers_per_route_and_relation(Route route, string from, int status, string error)
    {
        var removed = await platform.CreateClaimedAsync("tree-b2", W("b").Id); // b1's sibling, a1's cousin
        (await platform.RegisterAsync(removed.Id, removed.Token, card: Messages.V03Card("tree-b2"))).AssertStatus(200);
        await platform.RemoveAsync(removed.Id);
        var feed = await platform.FeedAsAdminAsync(removed.Id);

        var response = await CallAsync(route, W(from), removed.Id);

        response.AssertBody(status, Messages.Error(error));
        ApiClient.AssertJson(feed, await platform.FeedAsAdminAsync(removed.Id));
    }

    // ── feeds are private to their workspace, whatever the relation ────────────────────────

    public enum Feed { Activity, Inbox, Delegations }

    public static TheoryData<Feed, string, string> FeedCases()
    {
        var data = new TheoryData<Feed, string, string>();
        foreach (var feed in Enum.GetValues<Feed>())
            foreach (var (reader, owner) in new[] { ("a", "b"), ("a", "a1"), ("a1", "a"), ("root", "b1"), ("b1", "root"), ("r2", "root"), ("a1", "b1") })
                data.Add(feed, reader, owner);
        return data;
    }

    [Theory]
    [MemberData(nameof(FeedCases))]
    public async Task A_workspace_never_reads_another_workspaces_feeds(Feed feed, string reader, string owner)
    {
        var path = feed switch
        {
            Feed.Activity => $"/workspaces/{W(owner).Id}/activity",
            Feed.Inbox => $"/workspaces/{W(owner).Id}/activity?type=a2a_receive&limit=100",
            _ => $"/workspaces/{W(owner).Id}/delegations",
        };

        var response = await platform.SendAsync(HttpMethod.Get, path, bearer: W(reader).Token,
            headers: new Dictionary<string, string> { ["X-Workspace-ID"] = W(reader).Id });

        response.AssertBody(401, Messages.Error("invalid workspace auth token"));
    }
}
