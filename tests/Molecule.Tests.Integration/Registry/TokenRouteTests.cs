using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>The token routes of contract §3.4 (list, mint, revoke).</summary>
public sealed class TokenRouteTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static readonly string[] ListFields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"];

    private Task<ApiResponse> List(string id, string? bearer, string query = "") =>
        platform.SendAsync(HttpMethod.Get, $"/workspaces/{id}/tokens{query}", bearer: bearer);

    private Task<ApiResponse> Revoke(string id, string tokenId, string? bearer) =>
        platform.SendAsync(HttpMethod.Delete, $"/workspaces/{id}/tokens/{tokenId}", bearer: bearer);

    private static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static JsonObject RevokedBody(string tokenId) => new() { ["status"] = "revoked", ["id"] = tokenId };

    private static readonly JsonNode NotFoundOrRevoked = JsonNode.Parse("""{"error":"token not found or already revoked"}""")!;

    // ── GET ─────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task The_list_is_newest_first_and_carries_exactly_the_public_fields()
    {
        var ws = await platform.CreateClaimedAsync();
        await Task.Delay(5);
        var (second, secondToken) = await platform.MintAsync(ws.Id);
        await Task.Delay(5);
        var (third, thirdToken) = await platform.MintAsync(ws.Id);
        var first = await platform.TokenIdAsync(ws.Id, ws.Token!);

        var response = await List(ws.Id, platform.AdminToken);

        response.AssertStatus(200);
        Assert.Equal([third, second, first], response.Array.Select(t => t!["id"]!.GetValue<string>()).ToArray());
        var plaintexts = new[] { thirdToken, secondToken, ws.Token! };
        for (var i = 0; i < 3; i++)
        {
            var row = response.Array[i]!.AsObject();
            Assert.Equal(ListFields, row.Select(p => p.Key).ToArray());
            Assert.Equal(plaintexts[i][..12], row["prefix"]!.GetValue<string>());
            Assert.Matches(RegistryApi.TimestampPattern, row["created_at"]!.GetValue<string>());
            Assert.Null(row["revoked_at"]);
        }
        var createdAt = response.Array.Select(t => DateTimeOffset.Parse(t!["created_at"]!.GetValue<string>())).ToList();
        Assert.True(createdAt[0] >= createdAt[1] && createdAt[1] >= createdAt[2], string.Join(", ", createdAt));
        foreach (var plaintext in plaintexts)
        {
            Assert.DoesNotContain(plaintext, response.Text);
            Assert.DoesNotContain(Sha256Hex(plaintext), response.Text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Revoked_tokens_are_listed_only_with_include_revoked()
    {
        var ws = await platform.CreateClaimedAsync();
        var (revokedId, _) = await platform.MintAsync(ws.Id);
        var liveId = await platform.TokenIdAsync(ws.Id, ws.Token!);
        (await Revoke(ws.Id, revokedId, platform.AdminToken)).AssertStatus(200);

        var live = await List(ws.Id, platform.AdminToken);
        var explicitFalse = await List(ws.Id, platform.AdminToken, "?include_revoked=false");
        var all = await List(ws.Id, platform.AdminToken, "?include_revoked=true");

        Assert.Equal([liveId], live.Array.Select(t => t!["id"]!.GetValue<string>()).ToArray());
        Assert.Equal([liveId], explicitFalse.Array.Select(t => t!["id"]!.GetValue<string>()).ToArray());
        Assert.Equal(2, all.Array.Count);
        var revokedRow = all.Array.Single(t => t!["id"]!.GetValue<string>() == revokedId)!.AsObject();
        Assert.Equal(ListFields, revokedRow.Select(p => p.Key).ToArray());
        Assert.Matches(RegistryApi.TimestampPattern, revokedRow["revoked_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bad_include_revoked_value_answers_400()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await List(ws.Id, platform.AdminToken, "?include_revoked=yes");

        response.AssertError(400, "invalid query parameter", "include_revoked: must be true or false");
    }

    [Fact]
    public async Task The_own_token_may_list()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await List(ws.Id, ws.Token);

        response.AssertStatus(200);
        var row = Assert.Single(response.Array);
        Assert.Equal(ws.Token![..12], row!["prefix"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_workspaces_token_may_not_list()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();

        var response = await List(ws.Id, other.Token);

        response.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task An_unclaimed_workspace_lists_an_empty_array_and_an_unknown_one_answers_404()
    {
        var ws = await platform.CreateUnclaimedAsync();

        var empty = await List(ws.Id, platform.AdminToken);
        var unknown = await List(Guid.NewGuid().ToString(), platform.AdminToken);

        empty.AssertBody(200, new JsonArray());
        unknown.AssertError(404, "workspace not found");
    }

    [Fact]
    public async Task The_admin_lists_the_tokens_of_a_removed_workspace()
    {
        var ws = await platform.CreateClaimedAsync();
        var tokenId = await platform.TokenIdAsync(ws.Id, ws.Token!);
        await platform.RemoveAsync(ws.Id);

        var live = await List(ws.Id, platform.AdminToken);
        var all = await List(ws.Id, platform.AdminToken, "?include_revoked=true");

        live.AssertBody(200, new JsonArray());
        all.AssertStatus(200);
        var row = Assert.Single(all.Array);
        Assert.Equal(tokenId, row!["id"]!.GetValue<string>());
        Assert.Matches(RegistryApi.TimestampPattern, row["revoked_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Last_used_at_is_null_until_the_token_is_used()
    {
        var ws = await platform.CreateUnclaimedAsync();
        var (tokenId, token) = await platform.MintAsync(ws.Id);
        var before = (await List(ws.Id, platform.AdminToken)).Array.Single(t => t!["id"]!.GetValue<string>() == tokenId)!;

        (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}", bearer: token)).AssertStatus(200);
        var after = (await List(ws.Id, platform.AdminToken)).Array.Single(t => t!["id"]!.GetValue<string>() == tokenId)!;

        Assert.Null(before["last_used_at"]);
        var lastUsed = after["last_used_at"]!.GetValue<string>();
        Assert.Matches(RegistryApi.TimestampPattern, lastUsed);
        Assert.InRange(DateTimeOffset.Parse(lastUsed), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Last_used_at_is_set_by_a_heartbeat()
    {
        var ws = await platform.CreateClaimedAsync();

        await platform.HeartbeatAsync(ws.Id, ws.Token);

        var row = Assert.Single((await List(ws.Id, platform.AdminToken)).Array);
        Assert.Matches(RegistryApi.TimestampPattern, row!["last_used_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Last_used_at_is_refreshed_at_most_once_per_five_minutes()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateClaimedAsync();
        async Task<string?> LastUsed()
        {
            var list = await clocked.AdminAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/tokens");
            return Assert.Single(list.Array)!["last_used_at"]?.GetValue<string>();
        }

        (await clocked.HeartbeatAsync(ws.Id, ws.Token)).AssertStatus(200);
        var first = await LastUsed();
        time.Advance(TimeSpan.FromMinutes(4));
        (await clocked.HeartbeatAsync(ws.Id, ws.Token)).AssertStatus(200);
        var within = await LastUsed();
        time.Advance(TimeSpan.FromMinutes(2));
        (await clocked.HeartbeatAsync(ws.Id, ws.Token)).AssertStatus(200);
        var after = await LastUsed();

        Assert.NotNull(first);
        Assert.Equal(first, within);
        Assert.NotNull(after);
        Assert.Equal(TimeSpan.FromMinutes(6), DateTimeOffset.Parse(after!) - DateTimeOffset.Parse(first!));
    }

    [Fact]
    public async Task A_revocation_made_on_another_instance_takes_effect_at_once()
    {
        await using var clocked = await TestPlatform.StartAsync();
        var ws = await platform.CreateClaimedAsync();
        (await clocked.HeartbeatAsync(ws.Id, ws.Token)).AssertBody(200, RegistryApi.HeartbeatOk("online")); // validated, row cached there
        await platform.MintAsync(ws.Id);
        await platform.RevokeAsync(ws.Id, ws.Token!); // on the other instance

        var response = await clocked.HeartbeatAsync(ws.Id, ws.Token);

        response.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task A_removal_made_on_another_instance_is_seen_at_once_even_with_a_cached_token()
    {
        await using var second = await TestPlatform.StartAsync();
        var ws = await platform.CreateClaimedAsync();
        (await second.HeartbeatAsync(ws.Id, ws.Token)).AssertStatus(200);
        await platform.RemoveAsync(ws.Id);

        var heartbeat = await second.HeartbeatAsync(ws.Id, ws.Token);
        var state = await second.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/state", bearer: ws.Token);

        heartbeat.AssertBody(410, JsonNode.Parse("""{"error":"workspace removed"}""")!);
        state.AssertBody(404, new JsonObject { ["workspace_id"] = ws.Id, ["status"] = "removed", ["deleted"] = true });
    }

    // ── POST ────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task The_admin_mints_a_token_shown_once_and_it_works()
    {
        var ws = await platform.CreateUnclaimedAsync();

        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/tokens");

        response.AssertStatus(201);
        var body = response.Object;
        Assert.Equal(["id", "workspace_id", "auth_token", "prefix", "created_at", "warning"], body.Select(p => p.Key).ToArray());
        var token = body["auth_token"]!.GetValue<string>();
        Assert.Matches(RegistryApi.TokenPattern, token);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", body["id"]!.GetValue<string>());
        Assert.Equal(ws.Id, body["workspace_id"]!.GetValue<string>());
        Assert.Equal(token[..12], body["prefix"]!.GetValue<string>());
        Assert.Matches(RegistryApi.TimestampPattern, body["created_at"]!.GetValue<string>());
        Assert.Equal("store this token now; it is not shown again", body["warning"]!.GetValue<string>());
        (await platform.HeartbeatAsync(ws.Id, token)).AssertBody(200, RegistryApi.HeartbeatOk("online"));
        var row = Assert.Single((await List(ws.Id, platform.AdminToken)).Array);
        Assert.Equal(body["id"]!.GetValue<string>(), row!["id"]!.GetValue<string>());
        Assert.Equal(body["created_at"]!.GetValue<string>(), row["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Minting_claims_the_workspace()
    {
        var ws = await platform.CreateUnclaimedAsync();

        await platform.MintAsync(ws.Id);

        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.True(after["claimed"]!.GetValue<bool>());
        Assert.Null(after["claim_expires_at"]);
        (await platform.RegisterAsync(ws.Id, null)).AssertBody(200, JsonNode.Parse("""{"status":"registered"}""")!);
    }

    [Fact]
    public async Task Minting_is_admin_only()
    {
        var ws = await platform.CreateClaimedAsync();

        var own = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/tokens", bearer: ws.Token);
        var none = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/tokens");

        own.AssertError(401, "invalid admin auth token");
        none.AssertError(401, "admin auth required");
        Assert.Single((await List(ws.Id, platform.AdminToken)).Array);
    }

    [Fact]
    public async Task Minting_for_an_unknown_workspace_answers_404_and_for_a_removed_one_410()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RemoveAsync(ws.Id);
        var removedAt = (await platform.GetAsAdminAsync(ws.Id))["removed_at"]!.GetValue<string>();

        var unknown = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{Guid.NewGuid()}/tokens");
        var removed = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/tokens");

        unknown.AssertError(404, "workspace not found");
        removed.AssertBody(410, new JsonObject { ["error"] = "workspace removed", ["id"] = ws.Id, ["removed_at"] = removedAt });
    }

    [Fact]
    public async Task Fifty_live_tokens_is_the_maximum_and_revoking_one_frees_a_slot()
    {
        var ws = await platform.CreateClaimedAsync();
        for (var i = 1; i < 50; i++) await platform.MintAsync(ws.Id);

        var refused = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/tokens");
        await platform.RevokeAsync(ws.Id, ws.Token!);
        var afterRevoke = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/tokens");

        refused.AssertError(409, "maximum 50 live tokens per workspace");
        afterRevoke.AssertStatus(201);
        Assert.Equal(50, (await List(ws.Id, platform.AdminToken)).Array.Count);
    }

    // ── DELETE ──────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task The_admin_revokes_a_token_and_it_stops_working()
    {
        var ws = await platform.CreateClaimedAsync();
        var (tokenId, token) = await platform.MintAsync(ws.Id);
        (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}", bearer: token)).AssertStatus(200);

        var response = await Revoke(ws.Id, tokenId, platform.AdminToken);

        response.AssertBody(200, RevokedBody(tokenId));
        (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}", bearer: token)).AssertError(401, "invalid workspace auth token");
        (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}", bearer: ws.Token)).AssertStatus(200);
    }

    [Fact]
    public async Task A_workspace_may_revoke_the_token_it_is_using()
    {
        var ws = await platform.CreateClaimedAsync();
        var tokenId = await platform.TokenIdAsync(ws.Id, ws.Token!);

        var response = await Revoke(ws.Id, tokenId, ws.Token);

        response.AssertBody(200, RevokedBody(tokenId));
        (await List(ws.Id, ws.Token)).AssertError(401, "invalid workspace auth token");
        (await platform.HeartbeatAsync(ws.Id, ws.Token)).AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task A_workspace_may_revoke_another_of_its_own_tokens()
    {
        var ws = await platform.CreateClaimedAsync();
        var (tokenId, token) = await platform.MintAsync(ws.Id);

        var response = await Revoke(ws.Id, tokenId, ws.Token);

        response.AssertBody(200, RevokedBody(tokenId));
        (await platform.HeartbeatAsync(ws.Id, token)).AssertError(401, "invalid workspace auth token");
        (await platform.HeartbeatAsync(ws.Id, ws.Token)).AssertStatus(200);
    }

    [Fact]
    public async Task Revoking_twice_answers_404()
    {
        var ws = await platform.CreateClaimedAsync();
        var (tokenId, _) = await platform.MintAsync(ws.Id);
        (await Revoke(ws.Id, tokenId, platform.AdminToken)).AssertStatus(200);

        var again = await Revoke(ws.Id, tokenId, platform.AdminToken);

        again.AssertBody(404, NotFoundOrRevoked);
    }

    [Fact]
    public async Task Revoking_an_unknown_token_id_answers_404()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await Revoke(ws.Id, Guid.NewGuid().ToString(), platform.AdminToken);

        response.AssertBody(404, NotFoundOrRevoked);
    }

    [Fact]
    public async Task Revoking_another_workspaces_token_id_answers_404_and_leaves_it_live()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();
        var otherTokenId = await platform.TokenIdAsync(other.Id, other.Token!);

        var asAdmin = await Revoke(ws.Id, otherTokenId, platform.AdminToken);
        var asOwn = await Revoke(ws.Id, otherTokenId, ws.Token);

        asAdmin.AssertBody(404, NotFoundOrRevoked);
        asOwn.AssertBody(404, NotFoundOrRevoked);
        (await platform.HeartbeatAsync(other.Id, other.Token)).AssertStatus(200);
    }

    [Fact]
    public async Task Another_workspaces_token_may_not_revoke()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();
        var tokenId = await platform.TokenIdAsync(ws.Id, ws.Token!);

        var response = await Revoke(ws.Id, tokenId, other.Token);

        response.AssertError(401, "invalid workspace auth token");
        (await platform.HeartbeatAsync(ws.Id, ws.Token)).AssertStatus(200);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("3F0C8D2E-5B1A-4C6E-9F7D-2A1B3C4D5E6F")]
    [InlineData("12345")]
    public async Task A_non_uuid_token_id_answers_400_before_authentication(string tokenId)
    {
        var ws = await platform.CreateClaimedAsync();

        var admin = await Revoke(ws.Id, tokenId, platform.AdminToken);
        var none = await Revoke(ws.Id, tokenId, null);

        admin.AssertBody(400, JsonNode.Parse("""{"error":"invalid token ID"}""")!);
        none.AssertBody(400, JsonNode.Parse("""{"error":"invalid token ID"}""")!);
    }

    [Fact]
    public async Task Revoking_on_a_removed_workspace_answers_410()
    {
        var ws = await platform.CreateClaimedAsync();
        var tokenId = await platform.TokenIdAsync(ws.Id, ws.Token!);
        await platform.RemoveAsync(ws.Id);
        var removedAt = (await platform.GetAsAdminAsync(ws.Id))["removed_at"]!.GetValue<string>();

        var response = await Revoke(ws.Id, tokenId, platform.AdminToken);

        response.AssertBody(410, new JsonObject { ["error"] = "workspace removed", ["id"] = ws.Id, ["removed_at"] = removedAt });
    }

    [Fact]
    public async Task Revoking_on_an_unknown_workspace_answers_404()
    {
        var response = await Revoke(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), platform.AdminToken);

        // §3.4 does not say which of its 404 bodies an unknown workspace gets; only the status is pinned.
        response.AssertStatus(404);
    }
}
