using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>
/// Every route of the registry/token scope against every kind of caller: contract §1.3, §1.4, §1.7 and the
/// route sections (§3.3.3, §3.3.6, §3.3.9, §3.4, §3.5.2–§3.5.4). Each case asserts the exact status and body,
/// and that a refused call changed nothing.
/// </summary>
public sealed class AuthMatrixTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    public enum Route { GetWorkspace, GetState, Pause, ListTokens, RevokeToken, MintToken, Register, Heartbeat, UpdateCard }

    public enum Caller { OwnToken, OtherWorkspaceToken, AdminToken, NoCredential, BasicAuthorization, RevokedOwnToken, RemovedWorkspaceToken }

    public static TheoryData<Route, Caller> Cases()
    {
        var data = new TheoryData<Route, Caller>();
        foreach (var route in Enum.GetValues<Route>())
            foreach (var caller in Enum.GetValues<Caller>())
                data.Add(route, caller);
        return data;
    }

    /// <summary>The workspace addressed by the call; SpareTokenId is a live token id of it (the DELETE target).</summary>
    private sealed record Target(string Id, string Token, string SpareTokenId, string RevokedToken, bool Removed);

    private static readonly JsonNode Missing = JsonNode.Parse("""{"error":"missing workspace auth token"}""")!;
    private static readonly JsonNode Invalid = JsonNode.Parse("""{"error":"invalid workspace auth token"}""")!;
    private static readonly JsonNode AdminRequired = JsonNode.Parse("""{"error":"admin auth required"}""")!;
    private static readonly JsonNode InvalidAdmin = JsonNode.Parse("""{"error":"invalid admin auth token"}""")!;
    private static readonly JsonNode RemovedShort = JsonNode.Parse("""{"error":"workspace removed"}""")!;

    private async Task<Target> ArrangeAsync(bool removed)
    {
        var ws = await platform.CreateClaimedAsync(removed ? "removed-target" : "target");
        var (spareId, _) = await platform.MintAsync(ws.Id);
        var (revokedId, revoked) = await platform.MintAsync(ws.Id);
        (await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{ws.Id}/tokens/{revokedId}")).AssertStatus(200);
        if (removed) await platform.RemoveAsync(ws.Id);
        return new Target(ws.Id, ws.Token!, spareId, revoked, removed);
    }

    private async Task<string?> AuthorizationAsync(Caller caller, Target target) => caller switch
    {
        Caller.OwnToken or Caller.RemovedWorkspaceToken => "Bearer " + target.Token,
        Caller.OtherWorkspaceToken => "Bearer " + (await platform.CreateClaimedAsync("other")).Token,
        Caller.AdminToken => "Bearer " + platform.AdminToken,
        Caller.NoCredential => null,
        Caller.BasicAuthorization => "Basic abc",
        Caller.RevokedOwnToken => "Bearer " + target.RevokedToken,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    private Task<ApiResponse> CallAsync(Route route, Target t, string? authorization)
    {
        var card = RegistryApi.Card("matrix");
        return route switch
        {
            Route.GetWorkspace => Send(HttpMethod.Get, $"/workspaces/{t.Id}"),
            Route.GetState => Send(HttpMethod.Get, $"/workspaces/{t.Id}/state"),
            Route.Pause => Send(HttpMethod.Post, $"/workspaces/{t.Id}/pause"),
            Route.ListTokens => Send(HttpMethod.Get, $"/workspaces/{t.Id}/tokens"),
            Route.RevokeToken => Send(HttpMethod.Delete, $"/workspaces/{t.Id}/tokens/{t.SpareTokenId}"),
            Route.MintToken => Send(HttpMethod.Post, $"/workspaces/{t.Id}/tokens"),
            Route.Register => Send(HttpMethod.Post, "/registry/register",
                new JsonObject { ["id"] = t.Id, ["url"] = RegistryApi.RemoteUrl, ["agent_card"] = card }.ToJsonString()),
            Route.Heartbeat => Send(HttpMethod.Post, "/registry/heartbeat", new JsonObject { ["workspace_id"] = t.Id }.ToJsonString()),
            Route.UpdateCard => Send(HttpMethod.Post, "/registry/update-card",
                new JsonObject { ["workspace_id"] = t.Id, ["agent_card"] = card }.ToJsonString()),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };

        Task<ApiResponse> Send(HttpMethod method, string path, string? body = null) =>
            platform.SendAsync(method, path, rawBody: body, authorization: authorization);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_the_contract_answer(Route route, Caller caller)
    {
        var target = await ArrangeAsync(removed: caller == Caller.RemovedWorkspaceToken);
        var authorization = await AuthorizationAsync(caller, target);

        var response = await CallAsync(route, target, authorization);

        var succeeded = await AssertOutcomeAsync(route, caller, target, response);
        if (!succeeded && !target.Removed) await AssertUntouchedAsync(target);
    }

    /// <summary>Asserts the exact answer; returns true when the call was accepted (and may have had effects).</summary>
    private async Task<bool> AssertOutcomeAsync(Route route, Caller caller, Target t, ApiResponse response)
    {
        var adminOrOwn = route is Route.GetWorkspace or Route.GetState or Route.Pause or Route.ListTokens or Route.RevokeToken;
        var registry = route is Route.Register or Route.Heartbeat or Route.UpdateCard;

        // Credentials that are never acceptable for a workspace route.
        if (caller is Caller.OtherWorkspaceToken or Caller.RevokedOwnToken && !(route is Route.MintToken))
        {
            response.AssertBody(401, Invalid);
            return false;
        }

        if (route == Route.MintToken)
        {
            switch (caller)
            {
                case Caller.AdminToken:
                    response.AssertStatus(201);
                    Assert.Equal(t.Id, response["workspace_id"]);
                    Assert.Matches(RegistryApi.TokenPattern, response["auth_token"]!);
                    return true;
                case Caller.NoCredential or Caller.BasicAuthorization:
                    response.AssertBody(401, AdminRequired);
                    return false;
                default:
                    response.AssertBody(401, InvalidAdmin);
                    return false;
            }
        }

        if (adminOrOwn)
        {
            switch (caller)
            {
                case Caller.NoCredential or Caller.BasicAuthorization:
                    response.AssertBody(401, Missing);
                    return false;
                case Caller.RemovedWorkspaceToken when route == Route.GetState:
                    response.AssertBody(404, new JsonObject { ["workspace_id"] = t.Id, ["status"] = "removed", ["deleted"] = true });
                    return false;
                case Caller.RemovedWorkspaceToken:
                    response.AssertBody(401, Invalid);
                    return false;
                default: // own token or admin
                    await AssertAdminOrOwnSuccessAsync(route, t, response);
                    return true;
            }
        }

        Assert.True(registry);
        switch (caller)
        {
            case Caller.RemovedWorkspaceToken:
                response.AssertBody(410, RemovedShort);
                return false;
            case Caller.AdminToken:
                response.AssertBody(401, Invalid);
                return false;
            case Caller.NoCredential or Caller.BasicAuthorization when route == Route.Register:
                response.AssertBody(200, JsonNode.Parse("""{"status":"registered"}""")!); // claimed: no-op (§3.5.2 case 8)
                return false;
            case Caller.NoCredential or Caller.BasicAuthorization:
                response.AssertBody(401, Missing);
                return false;
            default: // own token
                switch (route)
                {
                    case Route.Register: response.AssertBody(200, RegistryApi.Registered(t.Id, "poll")); break;
                    case Route.Heartbeat: response.AssertBody(200, RegistryApi.HeartbeatOk("online")); break;
                    default: response.AssertBody(200, JsonNode.Parse("""{"status":"updated"}""")!); break;
                }
                return true;
        }
    }

    private async Task AssertAdminOrOwnSuccessAsync(Route route, Target t, ApiResponse response)
    {
        switch (route)
        {
            case Route.GetWorkspace:
                response.AssertStatus(200);
                Assert.Equal(t.Id, response["id"]);
                Assert.Equal("awaiting_agent", response["status"]);
                break;
            case Route.GetState:
                response.AssertBody(200, new JsonObject
                {
                    ["workspace_id"] = t.Id, ["status"] = "awaiting_agent", ["paused"] = false, ["deleted"] = false, ["last_heartbeat_at"] = null,
                });
                break;
            case Route.Pause:
                response.AssertBody(200, JsonNode.Parse("""{"status":"paused","paused_count":1}""")!);
                Assert.Equal("paused", (await platform.GetAsAdminAsync(t.Id))["status"]!.GetValue<string>());
                break;
            case Route.ListTokens:
                response.AssertStatus(200);
                var ownId = await platform.TokenIdAsync(t.Id, t.Token);
                Assert.Equal(new[] { ownId, t.SpareTokenId }.Order(), response.Array.Select(r => r!["id"]!.GetValue<string>()).Order());
                break;
            case Route.RevokeToken:
                response.AssertBody(200, new JsonObject { ["status"] = "revoked", ["id"] = t.SpareTokenId });
                break;
        }
    }

    /// <summary>A refused call left the live target as it was: status, card, and its live tokens.</summary>
    private async Task AssertUntouchedAsync(Target t)
    {
        var after = await platform.GetAsAdminAsync(t.Id);
        Assert.Equal("awaiting_agent", after["status"]!.GetValue<string>());
        Assert.Null(after["agent_card"]);
        Assert.Null(after["last_heartbeat_at"]);
        var live = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{t.Id}/tokens");
        Assert.Equal(2, live.Array.Count);
    }
}
