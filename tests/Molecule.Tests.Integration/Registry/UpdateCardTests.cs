using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>POST /registry/update-card — contract §3.5.4 (card rules as register, auth outcomes as heartbeat).</summary>
public sealed class UpdateCardTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static readonly JsonNode Updated = JsonNode.Parse("""{"status":"updated"}""")!;

    private Task<ApiResponse> Raw(string body, string? bearer) =>
        platform.SendAsync(HttpMethod.Post, "/registry/update-card", rawBody: body, bearer: bearer);

    [Fact]
    public async Task A_new_card_is_stored_and_announced()
    {
        var ws = await platform.CreateClaimedAsync();
        var card = RegistryApi.Card("fresh");

        var response = await platform.UpdateCardAsync(ws.Id, ws.Token, card);

        response.AssertBody(200, Updated);
        ApiClient.AssertJson(card, (await platform.GetAsAdminAsync(ws.Id))["agent_card"]);
        var e = Assert.Single(platform.Events.For(ws.Id, EventNames.AgentCardUpdated));
        ApiClient.AssertJson(new JsonObject { ["agent_card"] = card.DeepClone() }, e.Payload);
    }

    [Fact]
    public async Task The_same_card_again_answers_200_without_an_event()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.UpdateCardAsync(ws.Id, ws.Token, RegistryApi.Card("same"));
        var events = platform.Events.For(ws.Id).Count;

        var response = await platform.UpdateCardAsync(ws.Id, ws.Token, RegistryApi.Card("same"));

        response.AssertBody(200, Updated);
        Assert.Equal(events, platform.Events.For(ws.Id).Count);
    }

    [Fact]
    public async Task A_changed_card_replaces_the_registered_one()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, RegistryApi.Card("v1"));
        var v2 = new JsonObject { ["name"] = "v2", ["skills"] = new JsonArray(new JsonObject { ["id"] = "plan" }) };

        var response = await platform.UpdateCardAsync(ws.Id, ws.Token, v2);

        response.AssertBody(200, Updated);
        var cards = platform.Events.For(ws.Id, EventNames.AgentCardUpdated);
        Assert.Equal(2, cards.Count);
        ApiClient.AssertJson(new JsonObject { ["agent_card"] = v2.DeepClone() }, cards[1].Payload);
        var after = await platform.GetAsAdminAsync(ws.Id);
        ApiClient.AssertJson(v2, after["agent_card"]);
        Assert.Equal(RegistryApi.LoopbackUrl, after["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_status_is_not_changed()
    {
        var awaiting = await platform.CreateClaimedAsync();
        var degraded = await platform.CreateClaimedAsync();
        var paused = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(degraded.Id, degraded.Token, errorRate: 0.9);
        await platform.PauseAsync(paused.Id);

        (await platform.UpdateCardAsync(awaiting.Id, awaiting.Token)).AssertBody(200, Updated);
        (await platform.UpdateCardAsync(degraded.Id, degraded.Token)).AssertBody(200, Updated);
        (await platform.UpdateCardAsync(paused.Id, paused.Token)).AssertBody(200, Updated);

        var awaitingAfter = await platform.GetAsAdminAsync(awaiting.Id);
        Assert.Equal("awaiting_agent", awaitingAfter["status"]!.GetValue<string>());
        Assert.Null(awaitingAfter["last_heartbeat_at"]);
        Assert.Equal("degraded", (await platform.GetAsAdminAsync(degraded.Id))["status"]!.GetValue<string>());
        Assert.Equal("paused", (await platform.GetAsAdminAsync(paused.Id))["status"]!.GetValue<string>());
        Assert.Empty(platform.Events.For(awaiting.Id, EventNames.WorkspaceOnline));
    }

    // ── validation ──────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task A_card_over_32_KiB_answers_400_and_is_not_stored()
    {
        var ws = await platform.CreateClaimedAsync();
        var atLimit = new JsonObject { ["pad"] = new string('a', 32768 - 10) };
        var overLimit = new JsonObject { ["pad"] = new string('a', 32768 - 9) };

        var accepted = await platform.UpdateCardAsync(ws.Id, ws.Token, atLimit);
        var refused = await platform.UpdateCardAsync(ws.Id, ws.Token, overLimit);

        accepted.AssertBody(200, Updated);
        refused.AssertError(400, "invalid request body", "agent_card: must be at most 32768 bytes");
        ApiClient.AssertJson(atLimit, (await platform.GetAsAdminAsync(ws.Id))["agent_card"]);
    }

    [Theory]
    [InlineData("", "agent_card: required")]
    [InlineData(",\"agent_card\":null", "agent_card: required")]
    [InlineData(",\"agent_card\":\"card\"", "agent_card: must be a JSON object")]
    [InlineData(",\"agent_card\":[1]", "agent_card: must be a JSON object")]
    public async Task A_missing_or_non_object_card_answers_400(string cardField, string detail)
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await Raw($$$"""{"workspace_id":"{{{ws.Id}}}"{{{cardField}}}}""", ws.Token);

        response.AssertError(400, "invalid request body", detail);
    }

    [Fact]
    public async Task Missing_or_malformed_workspace_id_answers_400_before_authentication()
    {
        var missing = await Raw("""{"agent_card":{}}""", null);
        var malformed = await Raw("""{"workspace_id":"nope","agent_card":{}}""", null);

        missing.AssertError(400, "invalid request body", "workspace_id: required");
        malformed.AssertError(400, "invalid workspace ID", "workspace_id");
    }

    // ── auth (as heartbeat) ─────────────────────────────────────────────────────────────────

    [Fact]
    public async Task No_bearer_answers_401_missing()
    {
        var ws = await platform.CreateClaimedAsync();

        var none = await platform.UpdateCardAsync(ws.Id, null);
        var basic = await platform.UpdateCardAsync(ws.Id, null, authorization: "Basic abc");

        none.AssertError(401, "missing workspace auth token");
        basic.AssertError(401, "missing workspace auth token");
        Assert.Null((await platform.GetAsAdminAsync(ws.Id))["agent_card"]);
    }

    [Fact]
    public async Task Another_workspaces_token_the_admin_token_and_unknown_tokens_answer_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();

        var foreign = await platform.UpdateCardAsync(ws.Id, other.Token);
        var admin = await platform.UpdateCardAsync(ws.Id, platform.AdminToken);
        var unknown = await platform.UpdateCardAsync(ws.Id, RegistryApi.UnknownToken());
        var unknownWorkspace = await platform.UpdateCardAsync(Guid.NewGuid().ToString(), ws.Token);

        foreign.AssertError(401, "invalid workspace auth token");
        admin.AssertError(401, "invalid workspace auth token");
        unknown.AssertError(401, "invalid workspace auth token");
        unknownWorkspace.AssertError(401, "invalid workspace auth token");
        Assert.Null((await platform.GetAsAdminAsync(ws.Id))["agent_card"]);
        Assert.Empty(platform.Events.For(ws.Id, EventNames.AgentCardUpdated));
    }

    [Fact]
    public async Task A_removed_workspace_answers_410_to_its_old_token()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RemoveAsync(ws.Id);

        var response = await platform.UpdateCardAsync(ws.Id, ws.Token, RegistryApi.Card("ghost"));

        response.AssertBody(410, JsonNode.Parse("""{"error":"workspace removed"}""")!);
        Assert.Empty(platform.Events.For(ws.Id, EventNames.AgentCardUpdated));
    }

    [Fact]
    public async Task A_revoked_token_of_a_live_workspace_answers_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.UpdateCardAsync(ws.Id, ws.Token, RegistryApi.Card("before"));
        var (_, spare) = await platform.MintAsync(ws.Id);
        await platform.RevokeAsync(ws.Id, ws.Token!);

        var revoked = await platform.UpdateCardAsync(ws.Id, ws.Token, RegistryApi.Card("after"));
        var live = await platform.UpdateCardAsync(ws.Id, spare, RegistryApi.Card("after"));

        revoked.AssertError(401, "invalid workspace auth token");
        live.AssertBody(200, Updated);
    }
}
