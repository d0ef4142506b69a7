using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>GET /workspaces/:id/state — the SDK's state poll (contract §3.3.9).</summary>
public sealed class StateTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private Task<ApiResponse> State(string id, string? bearer, string? authorization = null) =>
        platform.SendAsync(HttpMethod.Get, $"/workspaces/{id}/state", bearer: bearer, authorization: authorization);

    private static JsonObject Live(string id, string status, JsonNode? lastHeartbeatAt) => new()
    {
        ["workspace_id"] = id, ["status"] = status, ["paused"] = status == "paused", ["deleted"] = false,
        ["last_heartbeat_at"] = lastHeartbeatAt?.DeepClone(),
    };

    private static JsonObject Removed(string id) => new() { ["workspace_id"] = id, ["status"] = "removed", ["deleted"] = true };

    [Fact]
    public async Task The_own_token_reads_the_derived_status_and_the_last_heartbeat()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token);
        var lastHeartbeat = (await platform.GetAsAdminAsync(ws.Id))["last_heartbeat_at"];

        var response = await State(ws.Id, ws.Token);

        response.AssertBody(200, Live(ws.Id, "online", lastHeartbeat));
        Assert.Matches(RegistryApi.TimestampPattern, response["last_heartbeat_at"]!);
    }

    [Fact]
    public async Task A_workspace_that_never_heartbeated_reads_awaiting_agent_with_a_null_heartbeat()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await State(ws.Id, ws.Token);

        response.AssertBody(200, Live(ws.Id, "awaiting_agent", null));
        Assert.True(response.Object.ContainsKey("last_heartbeat_at"));
    }

    [Fact]
    public async Task The_admin_reads_any_workspace_including_an_unclaimed_one()
    {
        var ws = await platform.CreateClaimedAsync();
        var unclaimed = await platform.CreateUnclaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.9);
        var lastHeartbeat = (await platform.GetAsAdminAsync(ws.Id))["last_heartbeat_at"];

        var degraded = await State(ws.Id, platform.AdminToken);
        var awaiting = await State(unclaimed.Id, platform.AdminToken);

        degraded.AssertBody(200, Live(ws.Id, "degraded", lastHeartbeat));
        awaiting.AssertBody(200, Live(unclaimed.Id, "awaiting_agent", null));
    }

    [Fact]
    public async Task A_paused_workspace_reads_paused_true()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token);
        await platform.PauseAsync(ws.Id);
        var lastHeartbeat = (await platform.GetAsAdminAsync(ws.Id))["last_heartbeat_at"];

        var response = await State(ws.Id, ws.Token);

        response.AssertBody(200, Live(ws.Id, "paused", lastHeartbeat));
    }

    [Fact]
    public async Task A_stale_online_workspace_reads_offline_before_any_sweep()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateClaimedAsync();
        await clocked.HeartbeatAsync(ws.Id, ws.Token);
        var lastHeartbeat = (await clocked.GetAsAdminAsync(ws.Id))["last_heartbeat_at"];
        time.Advance(TimeSpan.FromSeconds(90));
        var stillOnline = await clocked.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/state", bearer: ws.Token);
        time.Advance(TimeSpan.FromSeconds(1));

        var response = await clocked.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/state", bearer: ws.Token);

        stillOnline.AssertBody(200, Live(ws.Id, "online", lastHeartbeat));
        response.AssertBody(200, Live(ws.Id, "offline", lastHeartbeat));
    }

    // ── removed ─────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task A_removed_workspace_answers_404_removed_to_the_admin()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RemoveAsync(ws.Id);

        var response = await State(ws.Id, platform.AdminToken);

        response.AssertBody(404, Removed(ws.Id));
    }

    [Fact]
    public async Task A_removed_workspace_answers_404_removed_to_its_now_revoked_token()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token);
        await platform.RemoveAsync(ws.Id);

        var response = await State(ws.Id, ws.Token);

        response.AssertBody(404, Removed(ws.Id));
    }

    [Fact]
    public async Task A_removed_workspace_answers_404_removed_to_a_token_revoked_before_removal()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RevokeAsync(ws.Id, ws.Token!);
        await platform.RemoveAsync(ws.Id);

        var response = await State(ws.Id, ws.Token);

        response.AssertBody(404, Removed(ws.Id));
    }

    [Fact]
    public async Task A_removed_workspace_answers_401_to_credentials_never_issued_to_it()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();
        await platform.RemoveAsync(ws.Id);

        var foreign = await State(ws.Id, other.Token);
        var unknown = await State(ws.Id, RegistryApi.UnknownToken());
        var none = await State(ws.Id, null);

        foreign.AssertError(401, "invalid workspace auth token");
        unknown.AssertError(401, "invalid workspace auth token");
        none.AssertError(401, "missing workspace auth token");
    }

    [Fact]
    public async Task A_removed_child_answers_404_removed_to_its_token_after_a_cascade()
    {
        var parent = await platform.CreateClaimedAsync("parent");
        var child = await platform.CreateClaimedAsync("child", parent.Id);
        await platform.RemoveAsync(parent.Id);

        var response = await State(child.Id, child.Token);

        response.AssertBody(404, Removed(child.Id));
    }

    // ── other callers ───────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task Another_workspaces_token_answers_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();

        var response = await State(ws.Id, other.Token);

        response.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task A_revoked_token_of_a_live_workspace_answers_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();
        await State(ws.Id, ws.Token);
        await platform.MintAsync(ws.Id);
        await platform.RevokeAsync(ws.Id, ws.Token!);

        var response = await State(ws.Id, ws.Token);

        response.AssertError(401, "invalid workspace auth token");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic abc")]
    [InlineData("Bearer ")]
    [InlineData("Token mws_abc")]
    public async Task No_credential_answers_401_missing(string? authorization)
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await State(ws.Id, null, authorization);

        response.AssertError(401, "missing workspace auth token");
    }

    [Fact]
    public async Task The_bearer_scheme_is_case_insensitive()
    {
        var ws = await platform.CreateClaimedAsync();

        var lower = await State(ws.Id, null, "bearer " + ws.Token);
        var upper = await State(ws.Id, null, "BEARER   " + ws.Token + "  ");

        lower.AssertBody(200, Live(ws.Id, "awaiting_agent", null));
        upper.AssertBody(200, Live(ws.Id, "awaiting_agent", null));
    }

    [Fact]
    public async Task The_admin_reading_an_unknown_id_gets_404_workspace_not_found()
    {
        var response = await State(Guid.NewGuid().ToString(), platform.AdminToken);

        response.AssertError(404, "workspace not found");
    }

    [Fact]
    public async Task A_token_reading_an_unknown_id_gets_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await State(Guid.NewGuid().ToString(), ws.Token);

        response.AssertError(401, "invalid workspace auth token");
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("3F0C8D2E-5B1A-4C6E-9F7D-2A1B3C4D5E6F")]
    [InlineData("3f0c8d2e5b1a4c6e9f7d2a1b3c4d5e6f")]
    public async Task A_non_uuid_id_answers_400_before_authentication(string id)
    {
        var none = await State(id, null);
        var admin = await State(id, platform.AdminToken);

        none.AssertError(400, "invalid workspace ID", "id");
        admin.AssertError(400, "invalid workspace ID", "id");
    }
}
