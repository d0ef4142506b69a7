using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Liveness;

/// <summary>
/// Revocation reaches every instance within TokenCacheSeconds (§1.2). Tokens are validated against the
/// workspace row on every request (it lists the live token hashes), so here the bound is zero.
/// </summary>
public sealed class TokenCacheTests
{
    [Fact]
    public async Task A_token_revoked_on_another_instance_stops_working_at_once()
    {
        var settings = new Dictionary<string, string?> { ["Molecule:TokenCacheSeconds"] = "600" };
        await using var first = await TestPlatform.StartAsync(settings);
        await using var second = await TestPlatform.StartAsync(settings);
        var created = await first.CreateWorkspaceAsync("cached", issueToken: true);
        var id = created["id"]!.GetValue<string>();
        var agent = new SdkAgent(first, id) { Token = created["connect"]!["auth_token"]!.GetValue<string>() };
        Assert.Equal(200, (await agent.HeartbeatAsync()).Status); // validated and cached on the first instance
        var tokenId = (await second.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/tokens")).Array[0]!["id"]!.GetValue<string>();

        Assert.Equal(200, (await second.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}/tokens/{tokenId}")).Status);

        (await agent.HeartbeatAsync()).AssertError(401, "invalid workspace auth token");
        (await agent.PollStateAsync()).AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task A_token_revoked_on_the_same_instance_stops_working_at_once()
    {
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:TokenCacheSeconds"] = "600" });
        var created = await platform.CreateWorkspaceAsync("local-revoke", issueToken: true);
        var id = created["id"]!.GetValue<string>();
        var agent = new SdkAgent(platform, id) { Token = created["connect"]!["auth_token"]!.GetValue<string>() };
        Assert.Equal(200, (await agent.PollStateAsync()).Status);
        var tokenId = (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/tokens")).Array[0]!["id"]!.GetValue<string>();

        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}/tokens/{tokenId}");

        (await agent.PollStateAsync()).AssertError(401, "invalid workspace auth token");
    }
}
