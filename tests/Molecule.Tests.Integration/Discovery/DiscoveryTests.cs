using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Discovery;

/// <summary>Peers, discover and the agent card (contract §3.6) and the hierarchy rule (§1.6).</summary>
public sealed class DiscoveryTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;
    private string Base => platform.BaseAddress.ToString().TrimEnd('/');

    /// <summary>root ─┬─ a ─┬─ a1        other-root (a separate root)
    ///               │     └─ a2 (unclaimed)
    ///               └─ b ── b1</summary>
    private async Task<Dictionary<string, Agent>> TreeAsync()
    {
        var tree = new Dictionary<string, Agent>();
        async Task<Agent> Claimed(string key, string name, string? parent, string role = "")
        {
            var created = await platform.CreateWorkspaceAsync(name, parent, issueToken: true, extra: new { role });
            return tree[key] = new Agent(created["id"]!.GetValue<string>(), created["connect"]!["auth_token"]!.GetValue<string>());
        }
        var root = await Claimed("root", "root", null);
        var a = await Claimed("a", "alpha", root.Id, "ci");
        await Claimed("a1", "alpha-one", a.Id);
        tree["a2"] = new Agent((await platform.CreateWorkspaceAsync("alpha-two", a.Id))["id"]!.GetValue<string>(), null);
        var b = await Claimed("b", "bravo", root.Id, "Build Runner");
        await Claimed("b1", "bravo-one", b.Id);
        return tree;
    }

    private Task<ApiResponse> Peers(Agent self, string query = "") =>
        platform.SendAsync(HttpMethod.Get, $"/registry/{self.Id}/peers{query}", bearer: self.Token,
            headers: new Dictionary<string, string> { ["X-Workspace-ID"] = "not-even-a-uuid" });

    private Task<ApiResponse> Discover(Agent caller, string target, string? header = null) =>
        platform.SendAsync(HttpMethod.Get, $"/registry/discover/{target}", bearer: caller.Token,
            headers: new Dictionary<string, string> { ["X-Workspace-ID"] = header ?? caller.Id });

    [Fact]
    public async Task Peers_are_siblings_then_children_then_the_parent_claimed_only()
    {
        var t = await TreeAsync();
        await platform.RegisterAsync(t["b"].Id, t["b"].Token, card: new JsonObject { ["name"] = "bravo", ["url"] = "https://10.1.2.3/agent", ["signatures"] = new JsonArray(1) });

        var response = await Peers(t["a"]);

        Assert.Equal(200, response.Status);
        var ids = response.Array.Select(p => p!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { t["b"].Id, t["a1"].Id, t["root"].Id }, ids);
        var bravo = response.Array[0]!.AsObject();
        ApiClient.AssertJson(new JsonObject
        {
            ["id"] = t["b"].Id, ["name"] = "bravo", ["tier"] = 1, ["status"] = "online",
            ["url"] = $"{Base}/workspaces/{t["b"].Id}/a2a", ["parent_id"] = t["root"].Id, ["active_tasks"] = 0,
            ["role"] = "Build Runner",
            ["agent_card"] = new JsonObject { ["name"] = "bravo", ["url"] = $"{Base}/workspaces/{t["b"].Id}/a2a", ["preferredTransport"] = "JSONRPC" },
        }, bravo);
        Assert.Equal("", response.Array[1]!["role"]!.GetValue<string>());
        Assert.Null(response.Array[1]!["agent_card"]);
    }

    [Fact]
    public async Task Peers_filter_by_name_or_role_case_insensitively()
    {
        var t = await TreeAsync();

        var byRole = await Peers(t["a"], "?q=%20build%20");
        var none = await Peers(t["a"], "?q=zzz");
        var tooLong = await Peers(t["a"], "?q=" + new string('x', 101));

        Assert.Equal(new[] { t["b"].Id }, byRole.Array.Select(p => p!["id"]!.GetValue<string>()));
        Assert.Empty(none.Array);
        tooLong.AssertError(400, "invalid query parameter", "q: must be at most 100 characters");
    }

    [Fact]
    public async Task Peers_need_the_workspace_own_token()
    {
        var t = await TreeAsync();

        (await platform.SendAsync(HttpMethod.Get, $"/registry/{t["a"].Id}/peers", bearer: t["b"].Token)).AssertError(401, "invalid workspace auth token");
        (await platform.SendAsync(HttpMethod.Get, $"/registry/{t["a"].Id}/peers", bearer: platform.AdminToken)).AssertError(403, "this route requires the workspace's own token");
        (await platform.SendAsync(HttpMethod.Get, $"/registry/{t["a"].Id}/peers")).AssertError(401, "missing workspace auth token");
    }

    [Fact]
    public async Task Root_peers_are_the_other_roots()
    {
        var first = await platform.CreateClaimedAsync("root-one");
        var second = await platform.CreateClaimedAsync("root-two");

        var response = await platform.SendAsync(HttpMethod.Get, $"/registry/{first.Id}/peers", bearer: first.Token);

        var ids = response.Array.Select(p => p!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(second.Id, ids);
        Assert.DoesNotContain(first.Id, ids);
    }

    [Fact]
    public async Task Discover_follows_the_hierarchy_rule()
    {
        var t = await TreeAsync();

        var sibling = await Discover(t["a"], t["b"].Id);
        var parent = await Discover(t["a1"], t["a"].Id);
        var grandparent = await Discover(t["a1"], t["root"].Id);
        var descendant = await Discover(t["root"], t["b1"].Id);
        var self = await Discover(t["a"], t["a"].Id);
        var cousin = await Discover(t["a1"], t["b1"].Id);
        var unclaimed = await Discover(t["a"], t["a2"].Id);
        var unknown = await Discover(t["a"], Guid.NewGuid().ToString());

        ApiClient.AssertJson(new JsonObject { ["id"] = t["b"].Id, ["url"] = $"{Base}/workspaces/{t["b"].Id}/a2a", ["name"] = "bravo" }, sibling.Json);
        Assert.All(new[] { parent, grandparent, descendant, self }, r => Assert.Equal(200, r.Status));
        cousin.AssertError(403, "not authorized to discover this workspace");
        unclaimed.AssertError(404, "workspace not found");
        unknown.AssertError(404, "workspace not found");
    }

    [Fact]
    public async Task Discover_checks_the_caller_header_and_token()
    {
        var t = await TreeAsync();
        var target = t["b"].Id;

        var missing = await platform.SendAsync(HttpMethod.Get, $"/registry/discover/{target}", bearer: t["a"].Token);
        var malformed = await Discover(t["a"], target, header: "nope");
        var noBearer = await platform.SendAsync(HttpMethod.Get, $"/registry/discover/{target}", headers: new Dictionary<string, string> { ["X-Workspace-ID"] = t["a"].Id });
        var admin = await platform.SendAsync(HttpMethod.Get, $"/registry/discover/{target}", bearer: platform.AdminToken, headers: new Dictionary<string, string> { ["X-Workspace-ID"] = t["a"].Id });
        var wrongToken = await Discover(t["a1"], target, header: t["a"].Id);
        var removedTarget = await platform.CreateClaimedAsync("gone", t["root"].Id);
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removedTarget.Id}");
        var removed = await Discover(t["a"], removedTarget.Id);

        missing.AssertError(400, "X-Workspace-ID header is required");
        malformed.AssertError(400, "invalid workspace ID", "X-Workspace-ID");
        noBearer.AssertError(401, "missing workspace auth token");
        admin.AssertError(403, "this route requires the workspace's own token");
        wrongToken.AssertError(401, "invalid workspace auth token");
        removed.AssertError(404, "workspace not found");
    }

    [Fact]
    public async Task The_agent_card_is_served_rewritten_with_an_ETag()
    {
        var t = await TreeAsync();
        var card = new JsonObject
        {
            ["name"] = "alpha", ["protocolVersion"] = "0.3.0", ["url"] = "https://agent.internal/a2a", ["preferredTransport"] = "GRPC",
            ["additionalInterfaces"] = new JsonArray(
                new JsonObject { ["url"] = "https://agent.internal/grpc", ["transport"] = "GRPC" },
                new JsonObject { ["url"] = "https://agent.internal/rpc", ["transport"] = "JSONRPC" }),
            ["signatures"] = new JsonArray(new JsonObject { ["protected"] = "x", ["signature"] = "y" }),
            ["skills"] = new JsonArray(new JsonObject { ["id"] = "s", ["name"] = "summarise" }),
        };
        await platform.RegisterAsync(t["a"].Id, t["a"].Token, card: card);
        var proxy = $"{Base}/workspaces/{t["a"].Id}/a2a";

        var bySibling = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["a"].Id}/.well-known/agent-card.json", bearer: t["b"].Token);
        var legacy = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["a"].Id}/.well-known/agent.json", bearer: t["a"].Token);
        var cached = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["a"].Id}/.well-known/agent-card.json", bearer: platform.AdminToken,
            headers: new Dictionary<string, string> { ["If-None-Match"] = bySibling.Header("ETag")! });

        Assert.Equal(200, bySibling.Status);
        ApiClient.AssertJson(new JsonObject
        {
            ["name"] = "alpha", ["protocolVersion"] = "0.3.0", ["url"] = proxy, ["preferredTransport"] = "JSONRPC",
            ["additionalInterfaces"] = new JsonArray(new JsonObject { ["url"] = proxy, ["transport"] = "JSONRPC" }),
            ["skills"] = new JsonArray(new JsonObject { ["id"] = "s", ["name"] = "summarise" }),
        }, bySibling.Json);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(bySibling.Text)))[..32];
        Assert.Equal($"\"{hash}\"", bySibling.Header("ETag"));
        Assert.Equal("private, max-age=60", bySibling.Header("Cache-Control"));
        Assert.Equal(bySibling.Text, legacy.Text);
        Assert.Equal(304, cached.Status);
        Assert.Equal("", cached.Text);
    }

    [Fact]
    public async Task A_v1_card_keeps_only_JSONRPC_interfaces_pointing_at_the_proxy()
    {
        var t = await TreeAsync();
        await platform.RegisterAsync(t["b"].Id, t["b"].Token, card: new JsonObject
        {
            ["name"] = "bravo",
            ["supportedInterfaces"] = new JsonArray(new JsonObject { ["url"] = "https://x/grpc", ["protocolBinding"] = "GRPC", ["protocolVersion"] = "1.0" }),
        });

        var response = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["b"].Id}/.well-known/agent-card.json", bearer: platform.AdminToken);

        var proxy = $"{Base}/workspaces/{t["b"].Id}/a2a";
        ApiClient.AssertJson(new JsonObject
        {
            ["name"] = "bravo", ["url"] = proxy,
            ["supportedInterfaces"] = new JsonArray(new JsonObject { ["url"] = proxy, ["protocolBinding"] = "JSONRPC" }),
        }, response.Json);
    }

    [Fact]
    public async Task Agent_card_access_follows_the_hierarchy_and_visibility()
    {
        var t = await TreeAsync();
        await platform.RegisterAsync(t["b1"].Id, t["b1"].Token);
        var stranger = await platform.CreateClaimedAsync("stranger");

        var cousin = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["b1"].Id}/.well-known/agent-card.json", bearer: t["a1"].Token);
        var unclaimedForAgent = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["a2"].Id}/.well-known/agent-card.json", bearer: t["a"].Token);
        var noCard = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["a2"].Id}/.well-known/agent-card.json", bearer: platform.AdminToken);
        var anonymous = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["b1"].Id}/.well-known/agent-card.json");
        var unknownToken = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["b1"].Id}/.well-known/agent-card.json", bearer: "mws_" + new string('A', 43));
        var otherRoot = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{t["b1"].Id}/.well-known/agent-card.json", bearer: stranger.Token);

        cousin.AssertError(403, "access denied: workspaces cannot communicate per hierarchy rules");
        unclaimedForAgent.AssertError(404, "workspace not found");
        noCard.AssertError(404, "agent card not available");
        anonymous.AssertError(401, "missing workspace auth token");
        unknownToken.AssertError(401, "invalid workspace auth token");
        otherRoot.AssertError(403, "access denied: workspaces cannot communicate per hierarchy rules");
    }
}
