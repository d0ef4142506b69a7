using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>Org pinning on the registry routes (contract §0.7): register and heartbeat are exempt, update-card and state are not.</summary>
public sealed class OrgPinningTests : IAsyncLifetime
{
    private const string Org = "org-registry-7";
    private static readonly Dictionary<string, string> Pinned = new() { ["X-Molecule-Org-Id"] = Org };
    private TestPlatform platform = null!;

    public async Task InitializeAsync() =>
        platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:OrgId"] = Org });

    public async Task DisposeAsync() => await platform.DisposeAsync();

    private async Task<Agent> CreateClaimedAsync()
    {
        var created = await platform.SendAsync(HttpMethod.Post, "/workspaces", new { name = "pinned", issue_token = true }, platform.AdminToken, Pinned);
        created.AssertStatus(201);
        return new Agent(created["id"]!, created.Json!["connect"]!["auth_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Register_and_heartbeat_work_without_the_org_header()
    {
        var created = await platform.SendAsync(HttpMethod.Post, "/workspaces", new { name = "unpinned-agent" }, platform.AdminToken, Pinned);
        var id = created["id"]!;

        var register = await platform.RegisterAsync(id, null);
        var heartbeat = await platform.HeartbeatAsync(id, register["auth_token"]);

        register.AssertStatus(200);
        Assert.Matches(RegistryApi.TokenPattern, register["auth_token"]!);
        heartbeat.AssertBody(200, RegistryApi.HeartbeatOk("online"));
    }

    [Fact]
    public async Task Update_card_needs_the_org_header()
    {
        var ws = await CreateClaimedAsync();
        var body = new JsonObject { ["workspace_id"] = ws.Id, ["agent_card"] = RegistryApi.Card() }.ToJsonString();

        var without = await platform.UpdateCardAsync(ws.Id, ws.Token);
        var with = await platform.SendAsync(HttpMethod.Post, "/registry/update-card", body, ws.Token, Pinned);

        without.AssertError(404, "not found");
        with.AssertBody(200, JsonNode.Parse("""{"status":"updated"}""")!);
    }

    [Fact]
    public async Task State_and_tokens_need_the_org_header_and_it_is_checked_before_the_path_id()
    {
        var ws = await CreateClaimedAsync();

        var without = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/state", bearer: ws.Token);
        var tokens = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/tokens", bearer: ws.Token);
        var badId = await platform.SendAsync(HttpMethod.Get, "/workspaces/not-a-uuid/state");
        var with = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/state", bearer: ws.Token, headers: Pinned);

        without.AssertError(404, "not found");
        tokens.AssertError(404, "not found");
        badId.AssertError(404, "not found");
        with.AssertStatus(200);
        Assert.Equal("awaiting_agent", with["status"]);
    }
}
