using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>POST /registry/register — the eight cases of contract §3.5.2, in order, and the URL rules of §3.5.1.</summary>
public sealed class RegisterTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private Task<ApiResponse> Post(string rawBody, string? bearer = null) =>
        platform.SendAsync(HttpMethod.Post, "/registry/register", rawBody: rawBody, bearer: bearer);

    // ── case 1: body invalid ────────────────────────────────────────────────────────────────

    [Fact]
    public async Task Missing_id_answers_400_id_required()
    {
        var response = await Post("""{"url":"remote://no-inbound","agent_card":{"name":"a"}}""");

        response.AssertError(400, "invalid request body", "id: required");
    }

    [Theory]
    [InlineData("\"not-a-uuid\"")]
    [InlineData("\"3F0C8D2E-5B1A-4C6E-9F7D-2A1B3C4D5E6F\"")]
    [InlineData("42")]
    public async Task A_non_uuid_id_answers_400_invalid_workspace_ID_naming_id(string id)
    {
        var response = await Post($$$"""{"id":{{{id}}},"url":"remote://no-inbound","agent_card":{"name":"a"}}""");

        response.AssertError(400, "invalid workspace ID", "id");
    }

    [Fact]
    public async Task Missing_url_answers_400_url_required()
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await Post($$$"""{"id":"{{{ws.Id}}}","agent_card":{"name":"a"}}""");

        response.AssertError(400, "invalid request body", "url: required");
    }

    [Fact]
    public async Task A_url_that_is_not_a_string_answers_400()
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await Post($$$"""{"id":"{{{ws.Id}}}","url":8000,"agent_card":{"name":"a"}}""");

        response.AssertError(400, "invalid request body", "url: must be a string");
    }

    [Theory]
    [InlineData("ftp://agent.example.com/a2a")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ws://agent.example.com/a2a")]
    public async Task A_url_with_another_scheme_answers_400(string url)
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, null, url);

        response.AssertError(400, "invalid request body", "url: scheme must be http, https or remote");
        Assert.False((await platform.GetAsAdminAsync(ws.Id))["claimed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Missing_agent_card_answers_400()
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await Post($$$"""{"id":"{{{ws.Id}}}","url":"remote://no-inbound"}""");

        response.AssertError(400, "invalid request body", "agent_card: required");
    }

    [Theory]
    [InlineData("\"planner\"")]
    [InlineData("[]")]
    [InlineData("7")]
    public async Task An_agent_card_that_is_not_an_object_answers_400(string card)
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await Post($$$"""{"id":"{{{ws.Id}}}","url":"remote://no-inbound","agent_card":{{{card}}}}""");

        response.AssertError(400, "invalid request body", "agent_card: must be a JSON object");
    }

    [Fact]
    public async Task An_agent_card_of_exactly_32_KiB_is_accepted_and_one_byte_more_answers_400()
    {
        var ok = await platform.CreateUnclaimedAsync();
        var tooBig = await platform.CreateUnclaimedAsync();
        // {"pad":"…"} serializes to 10 bytes plus the padding.
        var atLimit = new JsonObject { ["pad"] = new string('a', 32768 - 10) };
        var overLimit = new JsonObject { ["pad"] = new string('a', 32768 - 9) };

        var accepted = await platform.RegisterAsync(ok.Id, null, card: atLimit);
        var refused = await platform.RegisterAsync(tooBig.Id, null, card: overLimit);

        accepted.AssertStatus(200);
        refused.AssertError(400, "invalid request body", "agent_card: must be at most 32768 bytes");
        Assert.False((await platform.GetAsAdminAsync(tooBig.Id))["claimed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Delivery_mode_push_with_a_remote_url_answers_400()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.RemoteUrl, deliveryMode: "push");

        response.AssertError(400, "invalid request body", "delivery_mode: push requires an http or https url");
        Assert.Equal("awaiting_agent", (await platform.GetAsAdminAsync(ws.Id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_delivery_mode_answers_400()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, ws.Token, deliveryMode: "carrier-pigeon");

        response.AssertError(400, "invalid request body", "delivery_mode: must be push or poll");
    }

    [Fact]
    public async Task Unparseable_and_non_object_bodies_answer_400()
    {
        var invalid = await Post("{not json");
        var array = await Post("""[{"id":"x"}]""");

        invalid.AssertError(400, "invalid JSON");
        array.AssertError(400, "invalid request body", "body: must be a JSON object");
    }

    [Fact]
    public async Task The_body_is_validated_before_the_bearer_and_before_the_workspace_lookup()
    {
        var other = await platform.CreateClaimedAsync();

        var badBodyWrongBearer = await Post($$$"""{"id":"{{{Guid.NewGuid()}}}","url":"gopher://x","agent_card":{}}""", other.Token);

        badBodyWrongBearer.AssertError(400, "invalid request body", "url: scheme must be http, https or remote");
    }

    [Fact]
    public async Task A_url_with_userinfo_answers_400()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, ws.Token, "http://user:pass@127.0.0.1:8000/a2a");

        response.AssertError(400, "invalid request body", "url: must not contain user information");
        Assert.Equal("", (await platform.GetAsAdminAsync(ws.Id))["url"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/a2a/inbound")]
    [InlineData("a2a/inbound")]
    [InlineData("")]
    public async Task A_relative_or_empty_url_answers_400_naming_url(string url)
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, ws.Token, url);

        // §3.5.1 fixes the field but not the phrase for a url without an absolute form.
        response.AssertStatus(400);
        Assert.Equal("invalid request body", response["error"]);
        Assert.StartsWith("url: ", response["detail"]);
        Assert.Equal("awaiting_agent", (await platform.GetAsAdminAsync(ws.Id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_url_of_2048_characters_is_accepted_and_2049_answers_400()
    {
        var ws = await platform.CreateClaimedAsync();
        const string prefix = "remote://";
        var atLimit = prefix + new string('x', 2048 - prefix.Length);

        var accepted = await platform.RegisterAsync(ws.Id, ws.Token, atLimit);
        var refused = await platform.RegisterAsync(ws.Id, ws.Token, atLimit + "x");

        accepted.AssertStatus(200);
        refused.AssertError(400, "invalid request body", "url: must be at most 2048 characters");
        Assert.Equal(atLimit, (await platform.GetAsAdminAsync(ws.Id))["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_over_64_KiB_answers_413()
    {
        var ws = await platform.CreateUnclaimedAsync();
        var huge = new JsonObject { ["pad"] = new string('a', 65536) };

        var response = await platform.RegisterAsync(ws.Id, null, card: huge);

        response.AssertError(413, "request body too large", "limit 65536 bytes", "payload_too_large");
        Assert.False((await platform.GetAsAdminAsync(ws.Id))["claimed"]!.GetValue<bool>());
    }

    // ── case 2: unknown id ──────────────────────────────────────────────────────────────────

    [Fact]
    public async Task An_unknown_id_answers_404_with_or_without_a_bearer()
    {
        var other = await platform.CreateClaimedAsync();
        var unknown = Guid.NewGuid().ToString();

        var bare = await platform.RegisterAsync(unknown, null);
        var withBearer = await platform.RegisterAsync(unknown, other.Token);

        bare.AssertError(404, "workspace not found");
        withBearer.AssertError(404, "workspace not found");
    }

    // ── case 3: removed ─────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task A_removed_workspace_answers_410_to_its_old_token_and_to_no_bearer()
    {
        var ws = await platform.CreateClaimedAsync();
        var unclaimed = await platform.CreateUnclaimedAsync();
        await platform.RemoveAsync(ws.Id);
        await platform.RemoveAsync(unclaimed.Id);

        var withOldToken = await platform.RegisterAsync(ws.Id, ws.Token);
        var bare = await platform.RegisterAsync(ws.Id, null);
        var unclaimedBare = await platform.RegisterAsync(unclaimed.Id, null);

        withOldToken.AssertBody(410, JsonNode.Parse("""{"error":"workspace removed"}""")!);
        bare.AssertBody(410, JsonNode.Parse("""{"error":"workspace removed"}""")!);
        unclaimedBare.AssertBody(410, JsonNode.Parse("""{"error":"workspace removed"}""")!);
        Assert.Equal("removed", (await platform.GetAsAdminAsync(ws.Id))["status"]!.GetValue<string>());
    }

    // ── case 4: bearer present but not a live token of this workspace ─────────────────────────

    [Fact]
    public async Task Another_workspaces_token_answers_401_and_changes_nothing()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();
        var events = platform.Events.For(ws.Id).Count;

        var response = await platform.RegisterAsync(ws.Id, other.Token, RegistryApi.LoopbackUrl);

        response.AssertError(401, "invalid workspace auth token");
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("awaiting_agent", after["status"]!.GetValue<string>());
        Assert.Equal("", after["url"]!.GetValue<string>());
        Assert.Null(after["agent_card"]);
        Assert.Equal(events, platform.Events.For(ws.Id).Count);
    }

    [Fact]
    public async Task Another_workspaces_token_cannot_claim_an_unclaimed_workspace()
    {
        var ws = await platform.CreateUnclaimedAsync();
        var other = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, other.Token);

        response.AssertError(401, "invalid workspace auth token");
        Assert.False((await platform.GetAsAdminAsync(ws.Id))["claimed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_unknown_well_formed_token_answers_401()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, RegistryApi.UnknownToken());

        response.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task A_bearer_that_is_not_token_shaped_answers_401()
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, "hello-there");

        response.AssertError(401, "invalid workspace auth token");
        Assert.False((await platform.GetAsAdminAsync(ws.Id))["claimed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_revoked_token_answers_401()
    {
        var ws = await platform.CreateClaimedAsync();
        var (_, spare) = await platform.MintAsync(ws.Id);
        await platform.RevokeAsync(ws.Id, ws.Token!);

        var revoked = await platform.RegisterAsync(ws.Id, ws.Token);
        var live = await platform.RegisterAsync(ws.Id, spare);

        revoked.AssertError(401, "invalid workspace auth token");
        live.AssertStatus(200);
    }

    [Fact]
    public async Task The_admin_token_is_treated_as_a_non_matching_bearer()
    {
        var claimed = await platform.CreateClaimedAsync();
        var unclaimed = await platform.CreateUnclaimedAsync();

        var onClaimed = await platform.RegisterAsync(claimed.Id, platform.AdminToken);
        var onUnclaimed = await platform.RegisterAsync(unclaimed.Id, platform.AdminToken);

        onClaimed.AssertError(401, "invalid workspace auth token");
        onUnclaimed.AssertError(401, "invalid workspace auth token");
        Assert.False((await platform.GetAsAdminAsync(unclaimed.Id))["claimed"]!.GetValue<bool>());
    }

    // ── case 5: bearer update ───────────────────────────────────────────────────────────────

    [Fact]
    public async Task A_bearer_update_answers_200_and_stores_url_card_and_status()
    {
        var ws = await platform.CreateClaimedAsync("updater");
        var card = RegistryApi.Card("updater");

        var response = await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, card);

        response.AssertBody(200, RegistryApi.Registered(ws.Id, "push"));
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("online", after["status"]!.GetValue<string>());
        Assert.Equal(RegistryApi.LoopbackUrl, after["url"]!.GetValue<string>());
        ApiClient.AssertJson(card, after["agent_card"]);
        Assert.Equal("push", after["delivery_mode"]!.GetValue<string>());
        Assert.False(after["delivery_mode_pinned"]!.GetValue<bool>());
        Assert.True(after["claimed"]!.GetValue<bool>());
        Assert.Matches(RegistryApi.TimestampPattern, after["last_heartbeat_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bearer_update_stores_an_explicit_delivery_mode_and_keeps_it_when_omitted()
    {
        var ws = await platform.CreateClaimedAsync();

        var pinned = await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, deliveryMode: "poll");
        var omitted = await platform.RegisterAsync(ws.Id, ws.Token, "http://127.0.0.1:8001/a2a");

        pinned.AssertBody(200, RegistryApi.Registered(ws.Id, "poll"));
        omitted.AssertBody(200, RegistryApi.Registered(ws.Id, "poll"));
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("poll", after["delivery_mode"]!.GetValue<string>());
        Assert.True(after["delivery_mode_pinned"]!.GetValue<bool>());
        Assert.Equal("http://127.0.0.1:8001/a2a", after["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pinned_push_without_an_http_url_is_delivered_as_poll()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, deliveryMode: "push");

        var response = await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.RemoteUrl);

        response.AssertBody(200, RegistryApi.Registered(ws.Id, "poll"));
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("poll", after["delivery_mode"]!.GetValue<string>());
        Assert.True(after["delivery_mode_pinned"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_unpinned_mode_follows_the_url()
    {
        var ws = await platform.CreateClaimedAsync();

        var http = await platform.RegisterAsync(ws.Id, ws.Token, "https://127.0.0.1:9443/a2a/inbound");
        var remote = await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.RemoteUrl);

        http.AssertBody(200, RegistryApi.Registered(ws.Id, "push"));
        remote.AssertBody(200, RegistryApi.Registered(ws.Id, "poll"));
        Assert.False((await platform.GetAsAdminAsync(ws.Id))["delivery_mode_pinned"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_paused_workspace_stays_paused_on_a_bearer_update_and_emits_no_online_event()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.PauseAsync(ws.Id);

        var response = await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl);

        response.AssertBody(200, RegistryApi.Registered(ws.Id, "push"));
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("paused", after["status"]!.GetValue<string>());
        Assert.Equal(RegistryApi.LoopbackUrl, after["url"]!.GetValue<string>());
        Assert.Empty(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
    }

    [Fact]
    public async Task A_bearer_update_emits_WORKSPACE_ONLINE_with_url_and_card_and_AGENT_CARD_UPDATED()
    {
        var ws = await platform.CreateClaimedAsync();
        var card = RegistryApi.Card("pusher");

        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, card);

        var online = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        ApiClient.AssertJson(new JsonObject
        {
            ["previous_status"] = "awaiting_agent", ["url"] = RegistryApi.LoopbackUrl, ["agent_card"] = card.DeepClone(),
        }, online.Payload);
        var cardEvent = Assert.Single(platform.Events.For(ws.Id, EventNames.AgentCardUpdated));
        ApiClient.AssertJson(new JsonObject { ["agent_card"] = card.DeepClone() }, cardEvent.Payload);
    }

    [Fact]
    public async Task WORKSPACE_ONLINE_leaves_out_a_remote_url()
    {
        var ws = await platform.CreateClaimedAsync();
        var card = RegistryApi.Card("poller");

        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.RemoteUrl, card);

        var online = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        ApiClient.AssertJson(new JsonObject { ["previous_status"] = "awaiting_agent", ["agent_card"] = card.DeepClone() }, online.Payload);
    }

    [Fact]
    public async Task Re_registering_an_online_workspace_with_the_same_card_emits_nothing()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, RegistryApi.Card("same"));
        var before = platform.Events.For(ws.Id).Count;

        var response = await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, RegistryApi.Card("same"));

        response.AssertBody(200, RegistryApi.Registered(ws.Id, "push"));
        Assert.Equal(before, platform.Events.For(ws.Id).Count);
    }

    [Fact]
    public async Task Re_registering_an_online_workspace_with_a_new_card_emits_only_AGENT_CARD_UPDATED()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.RemoteUrl, RegistryApi.Card("v1"));
        var v2 = RegistryApi.Card("v2");

        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.RemoteUrl, v2);

        Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        var cards = platform.Events.For(ws.Id, EventNames.AgentCardUpdated);
        Assert.Equal(2, cards.Count);
        ApiClient.AssertJson(new JsonObject { ["agent_card"] = v2.DeepClone() }, cards[1].Payload);
        ApiClient.AssertJson(v2, (await platform.GetAsAdminAsync(ws.Id))["agent_card"]);
    }

    [Fact]
    public async Task Register_after_degraded_brings_the_workspace_online_with_previous_status_degraded()
    {
        var ws = await platform.CreateClaimedAsync();
        (await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.9)).AssertStatus(200);

        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.RemoteUrl, RegistryApi.Card("back"));

        Assert.Equal("online", (await platform.GetAsAdminAsync(ws.Id))["status"]!.GetValue<string>());
        var online = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        Assert.Equal("degraded", online.Payload["previous_status"]!.GetValue<string>());
    }

    // ── case 6: claim ───────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task A_bare_register_of_an_unclaimed_workspace_claims_it_and_returns_the_token_once()
    {
        var ws = await platform.CreateUnclaimedAsync("claimer");

        var response = await platform.RegisterAsync(ws.Id, null, RegistryApi.RemoteUrl, RegistryApi.Card("claimer"));

        response.AssertStatus(200);
        var token = response["auth_token"]!;
        Assert.Matches(RegistryApi.TokenPattern, token);
        var expected = RegistryApi.Registered(ws.Id, "poll");
        expected["auth_token"] = token;
        ApiClient.AssertJson(expected, response.Json);
        Assert.Equal(["status", "auth_token", "workspace_id", "delivery_mode", "heartbeat_interval_seconds", "offline_after_seconds"],
            response.Object.Select(p => p.Key).ToArray());
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.True(after["claimed"]!.GetValue<bool>());
        Assert.Null(after["claim_expires_at"]);
        Assert.Equal("online", after["status"]!.GetValue<string>());
        ApiClient.AssertJson(RegistryApi.Card("claimer"), after["agent_card"]);
    }

    [Fact]
    public async Task The_claimed_token_authenticates_the_agent()
    {
        var ws = await platform.CreateUnclaimedAsync();
        var token = (await platform.RegisterAsync(ws.Id, null))["auth_token"]!;

        var heartbeat = await platform.HeartbeatAsync(ws.Id, token);
        var tokens = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/tokens");

        heartbeat.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        var row = Assert.Single(tokens.Array);
        Assert.Equal(token[..12], row!["prefix"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_claim_emits_WORKSPACE_ONLINE_with_the_http_url_and_AGENT_CARD_UPDATED()
    {
        var ws = await platform.CreateUnclaimedAsync();
        var card = RegistryApi.Card("claim-events");

        var response = await platform.RegisterAsync(ws.Id, null, RegistryApi.LoopbackUrl, card);

        response.AssertStatus(200);
        Assert.Equal("push", response["delivery_mode"]);
        var online = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        ApiClient.AssertJson(new JsonObject
        {
            ["previous_status"] = "awaiting_agent", ["url"] = RegistryApi.LoopbackUrl, ["agent_card"] = card.DeepClone(),
        }, online.Payload);
        var cardEvent = Assert.Single(platform.Events.For(ws.Id, EventNames.AgentCardUpdated));
        ApiClient.AssertJson(new JsonObject { ["agent_card"] = card.DeepClone() }, cardEvent.Payload);
        foreach (var e in platform.Events.For(ws.Id))
            Assert.DoesNotContain(response["auth_token"]!, e.Payload.ToJsonString());
    }

    [Fact]
    public async Task A_claim_of_a_paused_workspace_mints_the_token_and_keeps_it_paused()
    {
        var ws = await platform.CreateUnclaimedAsync();
        await platform.PauseAsync(ws.Id);

        var response = await platform.RegisterAsync(ws.Id, null);

        response.AssertStatus(200);
        Assert.Matches(RegistryApi.TokenPattern, response["auth_token"]!);
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("paused", after["status"]!.GetValue<string>());
        Assert.True(after["claimed"]!.GetValue<bool>());
        Assert.Empty(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
    }

    [Fact]
    public async Task Ten_concurrent_bare_registers_mint_exactly_one_token()
    {
        var ws = await platform.CreateUnclaimedAsync("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(i => platform.RegisterAsync(ws.Id, null, $"http://127.0.0.1:{9000 + i}/a2a", RegistryApi.Card($"racer-{i}"))));

        Assert.All(responses, r => r.AssertStatus(200));
        var winners = responses.Where(r => r.Object.ContainsKey("auth_token")).ToList();
        var winner = Assert.Single(winners);
        Assert.Matches(RegistryApi.TokenPattern, winner["auth_token"]!);
        Assert.All(responses.Except(winners), r => ApiClient.AssertJson(JsonNode.Parse("""{"status":"registered"}"""), r.Json));
        Assert.Single((await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/tokens?include_revoked=true")).Array);
        Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        // The stored registration is the winner's.
        var index = Array.IndexOf(responses, winner);
        Assert.Equal($"http://127.0.0.1:{9000 + index}/a2a", (await platform.GetAsAdminAsync(ws.Id))["url"]!.GetValue<string>());
        (await platform.HeartbeatAsync(ws.Id, winner["auth_token"])).AssertStatus(200);
    }

    // ── case 7: window closed ───────────────────────────────────────────────────────────────

    [Fact]
    public async Task A_bare_register_after_the_claim_window_closed_answers_403_and_claims_nothing()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateUnclaimedAsync("late");
        time.Advance(TimeSpan.FromHours(25));

        var response = await clocked.RegisterAsync(ws.Id, null, RegistryApi.LoopbackUrl);

        response.AssertError(403, "claim window closed; ask an administrator for a token", code: "claim_window_closed");
        var after = await clocked.GetAsAdminAsync(ws.Id);
        Assert.False(after["claimed"]!.GetValue<bool>());
        Assert.Equal("awaiting_agent", after["status"]!.GetValue<string>());
        Assert.Equal("", after["url"]!.GetValue<string>());
        Assert.Empty(clocked.Events.For(ws.Id, EventNames.WorkspaceOnline));
    }

    [Fact]
    public async Task A_claim_inside_the_window_succeeds_and_an_admin_reopen_makes_a_closed_window_claimable_again()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var early = await clocked.CreateUnclaimedAsync("early");
        var late = await clocked.CreateUnclaimedAsync("late");
        time.Advance(TimeSpan.FromHours(23));
        var inTime = await clocked.RegisterAsync(early.Id, null);
        time.Advance(TimeSpan.FromHours(2));
        var closed = await clocked.RegisterAsync(late.Id, null);

        var reopen = await clocked.AdminAsync(HttpMethod.Post, $"/workspaces/{late.Id}/claim-window");
        var reopened = await clocked.RegisterAsync(late.Id, null);

        Assert.Matches(RegistryApi.TokenPattern, inTime["auth_token"]!);
        closed.AssertError(403, "claim window closed; ask an administrator for a token", code: "claim_window_closed");
        reopen.AssertStatus(200);
        reopened.AssertStatus(200);
        Assert.Matches(RegistryApi.TokenPattern, reopened["auth_token"]!);
    }

    [Fact]
    public async Task A_bearer_update_works_after_the_claim_window_closed()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateClaimedAsync();
        time.Advance(TimeSpan.FromHours(48));

        var response = await clocked.RegisterAsync(ws.Id, ws.Token);

        response.AssertBody(200, RegistryApi.Registered(ws.Id, "poll"));
    }

    // ── case 8: no bearer on a claimed workspace ─────────────────────────────────────────────

    [Fact]
    public async Task A_bare_register_of_a_claimed_workspace_is_a_no_op()
    {
        var ws = await platform.CreateClaimedAsync("kept");
        var original = RegistryApi.Card("original");
        await platform.RegisterAsync(ws.Id, ws.Token, RegistryApi.LoopbackUrl, original);
        var before = await platform.GetAsAdminAsync(ws.Id);
        var events = platform.Events.For(ws.Id).Count;

        var response = await platform.RegisterAsync(ws.Id, null, "http://127.0.0.1:6666/evil", RegistryApi.Card("hijack"), deliveryMode: "poll");

        response.AssertBody(200, JsonNode.Parse("""{"status":"registered"}""")!);
        var after = await platform.GetAsAdminAsync(ws.Id);
        ApiClient.AssertJson(before, after);
        Assert.Equal(events, platform.Events.For(ws.Id).Count);
        Assert.Single((await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/tokens")).Array);
    }

    [Fact]
    public async Task A_bare_register_of_a_claimed_awaiting_workspace_leaves_it_awaiting()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, null, RegistryApi.RemoteUrl);

        response.AssertBody(200, JsonNode.Parse("""{"status":"registered"}""")!);
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("awaiting_agent", after["status"]!.GetValue<string>());
        Assert.Null(after["agent_card"]);
        Assert.Null(after["last_heartbeat_at"]);
        Assert.Empty(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        Assert.Empty(platform.Events.For(ws.Id, EventNames.AgentCardUpdated));
    }

    [Fact]
    public async Task A_malformed_Authorization_header_counts_as_no_bearer()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, null, authorization: "Basic abc");

        response.AssertBody(200, JsonNode.Parse("""{"status":"registered"}""")!);
        Assert.Equal("awaiting_agent", (await platform.GetAsAdminAsync(ws.Id))["status"]!.GetValue<string>());
    }

    // ── §3.5.1 address check ─────────────────────────────────────────────────────────────────

    [Fact]
    public async Task With_private_urls_allowed_by_default_a_loopback_url_is_accepted_as_push()
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, null, RegistryApi.LoopbackUrl);

        response.AssertStatus(200);
        Assert.Equal("push", response["delivery_mode"]);
        Assert.Equal(RegistryApi.LoopbackUrl, (await platform.GetAsAdminAsync(ws.Id))["url"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://0.0.0.0:8000/a2a")]
    [InlineData("http://168.63.129.16/a2a")]
    [InlineData("http://[fe80::1]/a2a")]
    public async Task Always_blocked_addresses_answer_400_even_when_private_urls_are_allowed(string url)
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await platform.RegisterAsync(ws.Id, null, url);

        response.AssertError(400, "invalid request body", "url: host is not publicly routable");
        Assert.False((await platform.GetAsAdminAsync(ws.Id))["claimed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Without_private_urls_a_loopback_or_private_url_answers_400_and_claims_nothing()
    {
        await using var strict = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:AllowPrivateAgentUrls"] = "false" });
        var ws = await strict.CreateUnclaimedAsync();
        var claimed = await strict.CreateClaimedAsync();

        var loopback = await strict.RegisterAsync(ws.Id, null, RegistryApi.LoopbackUrl);
        var localhost = await strict.RegisterAsync(ws.Id, null, "http://localhost:8000/a2a");
        var tenNet = await strict.RegisterAsync(claimed.Id, claimed.Token, "https://10.1.2.3/a2a");
        var mapped = await strict.RegisterAsync(claimed.Id, claimed.Token, "http://[::ffff:192.168.1.10]/a2a");

        loopback.AssertError(400, "invalid request body", "url: host is not publicly routable");
        localhost.AssertError(400, "invalid request body", "url: host is not publicly routable");
        tenNet.AssertError(400, "invalid request body", "url: host is not publicly routable");
        mapped.AssertError(400, "invalid request body", "url: host is not publicly routable");
        Assert.False((await strict.GetAsAdminAsync(ws.Id))["claimed"]!.GetValue<bool>());
        Assert.Equal("", (await strict.GetAsAdminAsync(claimed.Id))["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_private_urls_a_public_ip_literal_and_a_remote_url_are_accepted()
    {
        await using var strict = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:AllowPrivateAgentUrls"] = "false" });
        var pub = await strict.CreateUnclaimedAsync();
        var remote = await strict.CreateUnclaimedAsync();

        var publicResponse = await strict.RegisterAsync(pub.Id, null, "https://8.8.8.8/a2a");
        var remoteResponse = await strict.RegisterAsync(remote.Id, null, RegistryApi.RemoteUrl);

        publicResponse.AssertStatus(200);
        Assert.Equal("push", publicResponse["delivery_mode"]);
        remoteResponse.AssertStatus(200);
        Assert.Equal("poll", remoteResponse["delivery_mode"]);
    }

    [Fact]
    public async Task The_address_check_does_not_run_for_a_no_op_register()
    {
        await using var strict = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:AllowPrivateAgentUrls"] = "false" });
        var ws = await strict.CreateClaimedAsync();

        var response = await strict.RegisterAsync(ws.Id, null, RegistryApi.LoopbackUrl);

        response.AssertBody(200, JsonNode.Parse("""{"status":"registered"}""")!);
    }

    // ── settings ─────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task The_interval_numbers_come_from_settings()
    {
        await using var tuned = await TestPlatform.StartAsync(new Dictionary<string, string?>
        {
            ["Molecule:HeartbeatIntervalSeconds"] = "10", ["Molecule:OfflineAfterSeconds"] = "45",
        });
        var ws = await tuned.CreateUnclaimedAsync();
        var claimed = await tuned.CreateClaimedAsync();

        var claim = await tuned.RegisterAsync(ws.Id, null);
        var update = await tuned.RegisterAsync(claimed.Id, claimed.Token);

        Assert.Equal(10, claim.Json!["heartbeat_interval_seconds"]!.GetValue<int>());
        Assert.Equal(45, claim.Json!["offline_after_seconds"]!.GetValue<int>());
        update.AssertBody(200, RegistryApi.Registered(claimed.Id, "poll", 10, 45));
    }
}
