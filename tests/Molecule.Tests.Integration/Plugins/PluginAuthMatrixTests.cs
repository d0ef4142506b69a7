using System.Text;
using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Plugins;

/// <summary>
/// Every plugin route against every kind of caller (contract §1.3, §1.4, §1.7, §3.11): exact status and body,
/// and a refused call changes nothing.
/// </summary>
public sealed class PluginAuthMatrixTests(PluginPlatformFixture fixture) : IClassFixture<PluginPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    public enum Route { Publish, Delete, List, Download, WorkspaceDownload, Install, ListInstalls }

    public enum Caller { Admin, OwnToken, OtherWorkspaceToken, NoCredential, MalformedBasic, RevokedOwnToken, UnknownToken }

    public static TheoryData<Route, Caller> Cases()
    {
        var data = new TheoryData<Route, Caller>();
        foreach (var route in Enum.GetValues<Route>())
            foreach (var caller in Enum.GetValues<Caller>())
                data.Add(route, caller);
        return data;
    }

    private static readonly JsonNode Missing = JsonNode.Parse("""{"error":"missing workspace auth token"}""")!;
    private static readonly JsonNode Invalid = JsonNode.Parse("""{"error":"invalid workspace auth token"}""")!;
    private static readonly JsonNode OwnOnly = JsonNode.Parse("""{"error":"this route requires the workspace's own token"}""")!;
    private static readonly JsonNode AdminRequired = JsonNode.Parse("""{"error":"admin auth required"}""")!;
    private static readonly JsonNode InvalidAdmin = JsonNode.Parse("""{"error":"invalid admin auth token"}""")!;

    /// <summary>null = the route succeeds for this caller.</summary>
    private static (int Status, JsonNode Body)? Expected(Route route, Caller caller) => route switch
    {
        Route.Publish or Route.Delete => caller switch
        {
            Caller.Admin => null,
            Caller.NoCredential or Caller.MalformedBasic => (401, AdminRequired),
            _ => (401, InvalidAdmin),
        },
        Route.List or Route.Download => caller switch
        {
            Caller.Admin or Caller.OwnToken or Caller.OtherWorkspaceToken => null,
            Caller.NoCredential or Caller.MalformedBasic => (401, Missing),
            _ => (401, Invalid),
        },
        Route.WorkspaceDownload or Route.Install => caller switch
        {
            Caller.OwnToken => null,
            Caller.Admin => (403, OwnOnly),
            Caller.NoCredential or Caller.MalformedBasic => (401, Missing),
            _ => (401, Invalid),
        },
        Route.ListInstalls => caller switch
        {
            Caller.Admin or Caller.OwnToken => null,
            Caller.NoCredential or Caller.MalformedBasic => (401, Missing),
            _ => (401, Invalid),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(route)),
    };

    private sealed record Target(Agent Ws, string RevokedToken, string Published, string Fresh);

    private async Task<Target> ArrangeAsync(Route route)
    {
        var ws = await platform.CreateClaimedAsync("plugin-matrix");
        var (revokedId, revoked) = await platform.MintAsync(ws.Id);
        (await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{ws.Id}/tokens/{revokedId}")).AssertStatus(200);
        var published = PluginsApi.UniqueName("m");
        await platform.PublishAsync(published, PluginsApi.Base(published).ToTarGz());
        if (route == Route.ListInstalls)
            (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/plugins", new JsonObject { ["source"] = published }.ToJsonString(), ws.Token))
                .AssertStatus(200);
        return new Target(ws, revoked, published, PluginsApi.UniqueName("m"));
    }

    private async Task<string?> AuthorizationAsync(Caller caller, Target target) => caller switch
    {
        Caller.Admin => "Bearer " + platform.AdminToken,
        Caller.OwnToken => "Bearer " + target.Ws.Token,
        Caller.OtherWorkspaceToken => "Bearer " + (await platform.CreateClaimedAsync("other")).Token,
        Caller.NoCredential => null,
        Caller.MalformedBasic => "Basic abc",
        Caller.RevokedOwnToken => "Bearer " + target.RevokedToken,
        Caller.UnknownToken => "Bearer " + RegistryApi.UnknownToken(),
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    private Task<RawResponse> CallAsync(Route route, Target t, string? authorization) => route switch
    {
        Route.Publish => platform.SendRawAsync(HttpMethod.Put, "/plugins/" + t.Fresh, PluginsApi.Gzip(PluginsApi.Base(t.Fresh).ToTarGz()), authorization),
        Route.Delete => platform.SendRawAsync(HttpMethod.Delete, "/plugins/" + t.Published, authorization: authorization),
        Route.List => platform.SendRawAsync(HttpMethod.Get, "/plugins", authorization: authorization),
        Route.Download => platform.SendRawAsync(HttpMethod.Get, $"/plugins/{t.Published}/download", authorization: authorization),
        Route.WorkspaceDownload => platform.SendRawAsync(HttpMethod.Get, $"/workspaces/{t.Ws.Id}/plugins/{t.Published}/download", authorization: authorization),
        Route.Install => platform.SendRawAsync(HttpMethod.Post, $"/workspaces/{t.Ws.Id}/plugins",
            new StringContent(new JsonObject { ["source"] = "local://" + t.Published }.ToJsonString(), Encoding.UTF8, "application/json"), authorization),
        Route.ListInstalls => platform.SendRawAsync(HttpMethod.Get, $"/workspaces/{t.Ws.Id}/plugins", authorization: authorization),
        _ => throw new ArgumentOutOfRangeException(nameof(route)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_the_contract_answer(Route route, Caller caller)
    {
        var target = await ArrangeAsync(route);
        var authorization = await AuthorizationAsync(caller, target);

        var response = await CallAsync(route, target, authorization);

        if (Expected(route, caller) is { } refusal)
        {
            response.Api.AssertBody(refusal.Status, refusal.Body);
            await AssertNothingChangedAsync(route, target);
        }
        else AssertSuccess(route, target, response);
    }

    private static void AssertSuccess(Route route, Target t, RawResponse response)
    {
        var api = response.Api;
        switch (route)
        {
            case Route.Publish:
                api.AssertStatus(201);
                Assert.Equal(t.Fresh, api["name"]);
                break;
            case Route.Delete:
                api.AssertBody(200, new JsonObject { ["status"] = "deleted", ["name"] = t.Published });
                break;
            case Route.List:
                api.AssertStatus(200);
                Assert.Single(api.Array, e => e!["name"]!.GetValue<string>() == t.Published);
                break;
            case Route.Download:
            case Route.WorkspaceDownload:
                Assert.True(response.Status == 200, $"expected 200, got {response.Status}: {api.Text}");
                Assert.Equal(t.Published, response.Header("X-Plugin-Name"));
                Assert.Contains(Unpacker.Unpack(response.Body), e => e.Name == "plugin.yaml");
                break;
            case Route.Install:
                api.AssertBody(200, new JsonObject { ["status"] = "installed", ["plugin"] = t.Published, ["source"] = "local://" + t.Published });
                break;
            case Route.ListInstalls:
                api.AssertStatus(200);
                Assert.Equal(t.Published, Assert.Single(api.Array)!["name"]!.GetValue<string>());
                break;
        }
    }

    private async Task AssertNothingChangedAsync(Route route, Target t)
    {
        switch (route)
        {
            case Route.Publish:
                await platform.AssertNotStoredAsync(t.Fresh);
                break;
            case Route.Delete:
                Assert.Equal(200, (await platform.AdminDownloadAsync(t.Published)).Status);
                break;
            case Route.Install:
                (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{t.Ws.Id}/plugins")).AssertBody(200, new JsonArray());
                break;
        }
    }
}
