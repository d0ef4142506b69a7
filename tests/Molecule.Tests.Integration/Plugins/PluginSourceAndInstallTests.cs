using System.Text;
using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Plugins;

/// <summary>The source parameter of both download routes and the install report (contract §3.11).</summary>
public sealed class PluginSourceAndInstallTests(PluginPlatformFixture fixture) : IClassFixture<PluginPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static readonly JsonNode SourceMismatch = JsonNode.Parse("""{"error":"source does not match plugin name"}""")!;
    private static readonly JsonNode Unsupported = JsonNode.Parse("""{"error":"unsupported plugin source","available_schemes":["local"]}""")!;

    private async Task<(string Name, Agent Ws)> PublishedAsync()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());
        return (name, await platform.CreateClaimedAsync("installer"));
    }

    private Task<RawResponse> DownloadVia(string route, Agent ws, string name, string? query) =>
        route == "workspace" ? platform.WorkspaceDownloadAsync(ws, name, query) : platform.DownloadAsync(name, ws.Token!, query);

    private Task<ApiResponse> InstallAsync(Agent ws, string source) =>
        InstallRawAsync(ws, new JsonObject { ["source"] = source }.ToJsonString());

    private Task<ApiResponse> InstallRawAsync(Agent ws, string body) =>
        platform.SendAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/plugins", rawBody: body, bearer: ws.Token);

    public static TheoryData<string, string> AcceptedSources()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in new[] { "workspace", "global" })
            foreach (var source in new[] { "absent", "local", "bare" })
                data.Add(route, source);
        return data;
    }

    [Theory]
    [MemberData(nameof(AcceptedSources))]
    public async Task Download_accepts_an_absent_local_or_bare_source(string route, string source)
    {
        var (name, ws) = await PublishedAsync();
        var query = source switch
        {
            "absent" => null,
            "local" => "?source=" + Uri.EscapeDataString("local://" + name),
            _ => "?source=" + name,
        };

        var response = await DownloadVia(route, ws, name, query);

        Assert.True(response.Status == 200, $"expected 200, got {response.Status}: {response.Api.Text}");
        Assert.Contains(Unpacker.Unpack(response.Body), e => e.Name == "plugin.yaml");
    }

    [Theory]
    [InlineData("workspace")]
    [InlineData("global")]
    public async Task Download_with_a_local_source_naming_another_plugin_answers_400(string route)
    {
        var (name, ws) = await PublishedAsync();

        var response = await DownloadVia(route, ws, name, "?source=" + Uri.EscapeDataString("local://other-plugin"));

        response.Api.AssertBody(400, SourceMismatch);
    }

    [Theory]
    [InlineData("workspace")]
    [InlineData("global")]
    public async Task Download_with_a_bare_source_naming_another_plugin_answers_400(string route)
    {
        var (name, ws) = await PublishedAsync();

        var response = await DownloadVia(route, ws, name, "?source=other-plugin");

        response.Api.AssertBody(400, SourceMismatch);
    }

    public static TheoryData<string, string> OtherSchemes()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in new[] { "workspace", "global" })
            foreach (var source in new[] { "https://x", "git://x", "github://org/repo", "file:///etc/passwd" })
                data.Add(route, source);
        return data;
    }

    [Theory]
    [MemberData(nameof(OtherSchemes))]
    public async Task Download_with_another_scheme_answers_400_unsupported(string route, string source)
    {
        var (name, ws) = await PublishedAsync();

        var response = await DownloadVia(route, ws, name, "?source=" + Uri.EscapeDataString(source));

        response.Api.AssertBody(400, Unsupported);
    }

    [Fact]
    public async Task Install_with_a_local_source_answers_200()
    {
        var (name, ws) = await PublishedAsync();

        var response = await InstallAsync(ws, "local://" + name);

        response.AssertBody(200, new JsonObject { ["status"] = "installed", ["plugin"] = name, ["source"] = "local://" + name });
    }

    [Fact]
    public async Task Install_with_a_bare_name_answers_200_with_the_local_source()
    {
        var (name, ws) = await PublishedAsync();

        var response = await InstallAsync(ws, name);

        response.AssertBody(200, new JsonObject { ["status"] = "installed", ["plugin"] = name, ["source"] = "local://" + name });
    }

    [Fact]
    public async Task Install_of_an_unknown_plugin_answers_404()
    {
        var ws = await platform.CreateClaimedAsync("installer");

        var response = await InstallAsync(ws, "local://" + PluginsApi.UniqueName());

        response.AssertBody(404, PluginsApi.PluginNotFound);
    }

    [Theory]
    [InlineData("https://x")]
    [InlineData("git://x")]
    public async Task Install_with_another_scheme_answers_400_unsupported(string source)
    {
        var ws = await platform.CreateClaimedAsync("installer");

        var response = await InstallAsync(ws, source);

        response.AssertBody(400, Unsupported);
    }

    [Fact]
    public async Task Install_without_a_source_answers_400_required()
    {
        var ws = await platform.CreateClaimedAsync("installer");

        var response = await InstallRawAsync(ws, "{}");

        response.AssertError(400, "invalid request body", "source: required");
    }

    [Fact]
    public async Task Install_with_a_non_string_source_answers_400()
    {
        var ws = await platform.CreateClaimedAsync("installer");

        var response = await InstallRawAsync(ws, """{"source":42}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("invalid request body", response["error"]);
        Assert.StartsWith("source: ", response["detail"]);
    }

    [Fact]
    public async Task Installs_are_listed_with_name_source_version_and_installed_at()
    {
        var (name, ws) = await PublishedAsync();
        var before = DateTimeOffset.UtcNow;
        (await InstallAsync(ws, "local://" + name)).AssertStatus(200);

        var own = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/plugins", bearer: ws.Token);

        own.AssertStatus(200);
        var row = Assert.Single(own.Array)!.AsObject();
        var installedAt = row["installed_at"]!.GetValue<string>();
        Assert.Matches(RegistryApi.TimestampPattern, installedAt);
        Assert.InRange(DateTimeOffset.Parse(installedAt, System.Globalization.CultureInfo.InvariantCulture), before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        ApiClient.AssertJson(new JsonArray(new JsonObject
        {
            ["name"] = name, ["source"] = "local://" + name, ["version"] = "1.0.0", ["installed_at"] = installedAt,
        }), own.Json);
    }

    [Fact]
    public async Task Admin_sees_the_same_install_list()
    {
        var (name, ws) = await PublishedAsync();
        (await InstallAsync(ws, name)).AssertStatus(200);
        var own = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/plugins", bearer: ws.Token);

        var admin = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/plugins");

        admin.AssertStatus(200);
        ApiClient.AssertJson(own.Json, admin.Json);
        Assert.Single(admin.Array);
    }

    [Fact]
    public async Task A_workspace_without_installs_lists_an_empty_array()
    {
        var ws = await platform.CreateClaimedAsync("installer");

        var list = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/plugins", bearer: ws.Token);

        list.AssertBody(200, new JsonArray());
    }

    [Fact]
    public async Task A_second_install_upserts_one_row()
    {
        var (name, ws) = await PublishedAsync();
        (await InstallAsync(ws, name)).AssertStatus(200);
        await platform.PublishAsync(name, new ArchiveBuilder().File("plugin.yaml", $"name: {name}\nversion: \"9.9.9\"\n").ToTarGz());

        (await InstallAsync(ws, "local://" + name)).AssertStatus(200);

        var list = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/plugins", bearer: ws.Token);
        list.AssertStatus(200);
        var row = Assert.Single(list.Array)!.AsObject();
        Assert.Equal(name, row["name"]!.GetValue<string>());
        Assert.Equal("9.9.9", row["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Installs_of_one_workspace_are_not_listed_for_another()
    {
        var (name, ws) = await PublishedAsync();
        var other = await platform.CreateClaimedAsync("bystander");
        (await InstallAsync(ws, name)).AssertStatus(200);

        var list = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{other.Id}/plugins", bearer: other.Token);

        list.AssertBody(200, new JsonArray());
    }
}
