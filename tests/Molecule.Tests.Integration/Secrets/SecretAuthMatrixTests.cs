using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Secrets;

/// <summary>
/// Every secrets route against every kind of caller: contract §1.3, §1.4, §1.7 and §3.7. Each case asserts the
/// exact status and body, and that a refused call neither read nor changed anything.
/// </summary>
public sealed class SecretAuthMatrixTests(IsolatedPlatformFixture fixture) : IClassFixture<IsolatedPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    public enum Route { PullValues, List, SavePost, SavePut, Delete, GlobalList, GlobalPost, GlobalPut, GlobalDelete }

    public enum Caller { OwnToken, OwnTokenLowercaseScheme, OtherWorkspaceToken, AdminToken, NoCredential, MalformedAuthorization, EmptyBearer, RevokedOwnToken, UnknownToken }

    public static TheoryData<Route, Caller> Cases()
    {
        var data = new TheoryData<Route, Caller>();
        foreach (var route in Enum.GetValues<Route>())
            foreach (var caller in Enum.GetValues<Caller>())
                data.Add(route, caller);
        return data;
    }

    private const string Original = "original-value";
    private const string GlobalOriginal = "global-original-value";

    private static readonly JsonNode Missing = JsonNode.Parse("""{"error":"missing workspace auth token"}""")!;
    private static readonly JsonNode Invalid = JsonNode.Parse("""{"error":"invalid workspace auth token"}""")!;
    private static readonly JsonNode OwnOnly = JsonNode.Parse("""{"error":"this route requires the workspace's own token"}""")!;
    private static readonly JsonNode AdminRequired = JsonNode.Parse("""{"error":"admin auth required"}""")!;
    private static readonly JsonNode InvalidAdmin = JsonNode.Parse("""{"error":"invalid admin auth token"}""")!;

    /// <summary>The workspace addressed, its workspace key and a global key, with their list entries before the call.</summary>
    private sealed record Target(string Id, string Token, string RevokedToken, string Key, string GlobalKey, JsonObject KeyEntry, JsonObject GlobalEntry);

    private async Task<Target> ArrangeAsync()
    {
        var ws = await platform.CreateClaimedAsync("secrets-target");
        var (revokedId, revoked) = await platform.MintAsync(ws.Id);
        (await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{ws.Id}/tokens/{revokedId}")).AssertStatus(200);
        var key = SecretsApi.UniqueKey("MATRIX");
        var global = SecretsApi.UniqueKey("MATRIX_G");
        await platform.SavedAsync(ws.Id, key, Original);
        await platform.SavedGlobalAsync(global, GlobalOriginal);
        var list = await platform.ListAsync(ws.Id);
        return new Target(ws.Id, ws.Token!, revoked, key, global, Assert.Single(list.Only(key)), Assert.Single(list.Only(global)));
    }

    private async Task<string?> AuthorizationAsync(Caller caller, Target target) => caller switch
    {
        Caller.OwnToken => "Bearer " + target.Token,
        Caller.OwnTokenLowercaseScheme => "bearer  " + target.Token + " ",
        Caller.OtherWorkspaceToken => "Bearer " + (await platform.CreateClaimedAsync("other")).Token,
        Caller.AdminToken => "Bearer " + platform.AdminToken,
        Caller.NoCredential => null,
        Caller.MalformedAuthorization => "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + platform.AdminToken)),
        Caller.EmptyBearer => "Bearer   ",
        Caller.RevokedOwnToken => "Bearer " + target.RevokedToken,
        Caller.UnknownToken => "Bearer " + RegistryApi.UnknownToken(),
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    private Task<ApiResponse> Send(HttpMethod method, string path, string? body = null, string? authorization = null) =>
        platform.SendAsync(method, path, rawBody: body, authorization: authorization);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_the_contract_answer(Route route, Caller caller)
    {
        var target = await ArrangeAsync();
        var authorization = await AuthorizationAsync(caller, target);

        var response = await CallAsync(route, target, authorization);

        if (Expected(route, caller) is { } refusal)
        {
            response.AssertBody(refusal.Status, refusal.Body);
            await AssertUntouchedAsync(target);
        }
        else
        {
            await AssertSucceededAsync(route, target, response);
        }
    }

    private Task<ApiResponse> CallAsync(Route route, Target t, string? authorization)
    {
        var path = route switch
        {
            Route.PullValues => SecretsApi.Values(t.Id),
            Route.List or Route.SavePost or Route.SavePut => SecretsApi.WorkspaceSecrets(t.Id),
            Route.Delete => $"{SecretsApi.WorkspaceSecrets(t.Id)}/{t.Key}",
            Route.GlobalList or Route.GlobalPost or Route.GlobalPut => "/settings/secrets",
            Route.GlobalDelete => $"/settings/secrets/{t.GlobalKey}",
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        };
        var method = route switch
        {
            Route.PullValues or Route.List or Route.GlobalList => HttpMethod.Get,
            Route.SavePost or Route.GlobalPost => HttpMethod.Post,
            Route.SavePut or Route.GlobalPut => HttpMethod.Put,
            _ => HttpMethod.Delete,
        };
        var body = route switch
        {
            Route.SavePost or Route.SavePut => SecretsApi.Body(t.Key, "changed-value"),
            Route.GlobalPost or Route.GlobalPut => SecretsApi.Body(t.GlobalKey, "global-changed-value"),
            _ => null,
        };
        return Send(method, path, body, authorization);
    }

    /// <summary>The refusal a caller gets on a route (§1.4 / §1.7), or null when the call is allowed.</summary>
    private static (int Status, JsonNode Body)? Expected(Route route, Caller caller)
    {
        var noCredential = caller is Caller.NoCredential or Caller.MalformedAuthorization or Caller.EmptyBearer;
        if (route is Route.GlobalList or Route.GlobalPost or Route.GlobalPut or Route.GlobalDelete)
            return caller == Caller.AdminToken ? null : noCredential ? (401, AdminRequired) : (401, InvalidAdmin);
        if (noCredential) return (401, Missing);
        return caller switch
        {
            Caller.OwnToken or Caller.OwnTokenLowercaseScheme => null,
            Caller.AdminToken => route == Route.PullValues ? (403, OwnOnly) : null,
            _ => (401, Invalid),
        };
    }

    private async Task AssertSucceededAsync(Route route, Target t, ApiResponse response)
    {
        switch (route)
        {
            case Route.PullValues:
                await platform.AssertPullAsync(response, new Dictionary<string, string> { [t.Key] = Original, [t.GlobalKey] = GlobalOriginal });
                break;
            case Route.List:
                response.AssertStatus(200);
                ApiClient.AssertJson(t.KeyEntry, Assert.Single(response.Only(t.Key)));
                ApiClient.AssertJson(t.GlobalEntry, Assert.Single(response.Only(t.GlobalKey)));
                Assert.DoesNotContain(Original, response.Text);
                Assert.DoesNotContain(GlobalOriginal, response.Text);
                break;
            case Route.SavePost or Route.SavePut:
                response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = t.Key });
                await platform.AssertPullAsync(await platform.PullAsync(t.Id, t.Token),
                    new Dictionary<string, string> { [t.Key] = "changed-value", [t.GlobalKey] = GlobalOriginal });
                break;
            case Route.Delete:
                response.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = t.Key });
                Assert.Empty((await platform.ListAsync(t.Id)).Only(t.Key));
                break;
            case Route.GlobalList:
                response.AssertStatus(200);
                ApiClient.AssertJson(t.GlobalEntry, Assert.Single(response.Only(t.GlobalKey)));
                Assert.Empty(response.Only(t.Key));
                Assert.DoesNotContain(GlobalOriginal, response.Text);
                break;
            case Route.GlobalPost or Route.GlobalPut:
                response.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = t.GlobalKey, ["scope"] = "global" });
                await platform.AssertPullAsync(await platform.PullAsync(t.Id, t.Token),
                    new Dictionary<string, string> { [t.Key] = Original, [t.GlobalKey] = "global-changed-value" });
                break;
            case Route.GlobalDelete:
                response.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = t.GlobalKey, ["scope"] = "global" });
                Assert.DoesNotContain(t.GlobalKey, await platform.GlobalKeysAsync());
                break;
        }
    }

    /// <summary>Both secrets keep their value and their timestamps; no SECRETS_CHANGED beyond the two arranged saves.</summary>
    private async Task AssertUntouchedAsync(Target t)
    {
        await platform.AssertPullAsync(await platform.PullAsync(t.Id, t.Token),
            new Dictionary<string, string> { [t.Key] = Original, [t.GlobalKey] = GlobalOriginal });
        var list = await platform.ListAsync(t.Id);
        ApiClient.AssertJson(t.KeyEntry, Assert.Single(list.Only(t.Key)));
        ApiClient.AssertJson(t.GlobalEntry, Assert.Single(list.Only(t.GlobalKey)));
        Assert.Single(platform.SecretEvents(t.Id, t.Key));
        Assert.Single(platform.SecretEvents(null, t.GlobalKey));
    }

    [Fact]
    public async Task Without_an_admin_token_the_global_routes_answer_503_whoever_calls()
    {
        var azurite = await IsolatedPlatform.StartAzuriteAsync();
        try
        {
            await using var withAdmin = await IsolatedPlatform.StartAsync(azurite: azurite);
            await using var noAdmin = await IsolatedPlatform.StartAsync(azurite: azurite, adminToken: null);
            var ws = await withAdmin.Platform.CreateClaimedAsync("no-admin");
            var expected = JsonNode.Parse("""{"error":"admin token not configured","code":"admin_not_configured"}""")!;

            foreach (var bearer in new[] { null, ws.Token, TestPlatform.DefaultAdminToken, RegistryApi.UnknownToken() })
            {
                var list = await noAdmin.Platform.SendAsync(HttpMethod.Get, "/settings/secrets", bearer: bearer);
                var post = await noAdmin.Platform.SendAsync(HttpMethod.Post, "/settings/secrets", rawBody: SecretsApi.Body("G_KEY", "v"), bearer: bearer);
                var put = await noAdmin.Platform.SendAsync(HttpMethod.Put, "/settings/secrets", rawBody: SecretsApi.Body("G_KEY", "v"), bearer: bearer);
                var delete = await noAdmin.Platform.SendAsync(HttpMethod.Delete, "/settings/secrets/G_KEY", bearer: bearer);

                Assert.All(new[] { list, post, put, delete }, r => r.AssertBody(503, expected));
            }
            Assert.Empty(await withAdmin.Platform.GlobalKeysAsync());
        }
        finally
        {
            azurite.Dispose();
        }
    }

    [Fact]
    public async Task Without_an_admin_token_the_workspace_secret_routes_keep_working_for_the_own_token()
    {
        var azurite = await IsolatedPlatform.StartAzuriteAsync();
        try
        {
            await using var withAdmin = await IsolatedPlatform.StartAsync(azurite: azurite);
            await using var noAdmin = await IsolatedPlatform.StartAsync(azurite: azurite, adminToken: null);
            var ws = await withAdmin.Platform.CreateClaimedAsync("no-admin-own");
            var platform = noAdmin.Platform;

            var saved = await platform.SaveAsync(ws.Id, "OWN_KEY", "own-value", bearer: ws.Token);
            var list = await platform.ListAsync(ws.Id, ws.Token);
            var pull = await platform.PullAsync(ws.Id, ws.Token);
            var deleted = await platform.DeleteAsync(ws.Id, "OWN_KEY", bearer: ws.Token);
            var badKey = await platform.SendAsync(HttpMethod.Delete, "/settings/secrets/bad-key");

            saved.AssertBody(200, new JsonObject { ["status"] = "saved", ["key"] = "OWN_KEY" });
            list.AssertStatus(200);
            Assert.Equal(["OWN_KEY"], list.Array.Select(e => e!["key"]!.GetValue<string>()));
            pull.AssertBody(200, new JsonObject { ["OWN_KEY"] = "own-value" });
            deleted.AssertBody(200, new JsonObject { ["status"] = "deleted", ["key"] = "OWN_KEY" });
            badKey.AssertError(400, "invalid secret key");
        }
        finally
        {
            azurite.Dispose();
        }
    }
}
