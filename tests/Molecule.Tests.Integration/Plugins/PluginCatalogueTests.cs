using System.Formats.Tar;
using System.Globalization;
using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Plugins;

/// <summary>GET /plugins, DELETE /plugins/:name and replacing a plugin (contract §3.11).</summary>
public sealed class PluginCatalogueTests(PluginPlatformFixture fixture) : IClassFixture<PluginPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private async Task<JsonObject> EntryAsync(string name, string? bearer = null)
    {
        var list = await platform.SendAsync(HttpMethod.Get, "/plugins", bearer: bearer ?? platform.AdminToken);
        list.AssertStatus(200);
        return Assert.Single(list.Array, e => e!["name"]!.GetValue<string>() == name)!.AsObject();
    }

    private static void AssertRecentTimestamp(JsonObject entry, DateTimeOffset before, DateTimeOffset after)
    {
        var text = entry["updated_at"]!.GetValue<string>();
        Assert.Matches(RegistryApi.TimestampPattern, text);
        var at = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
        Assert.InRange(at, before.AddSeconds(-1), after.AddSeconds(1));
    }

    [Fact]
    public async Task List_entry_carries_every_manifest_field()
    {
        var name = PluginsApi.UniqueName();
        var manifest = $"name: {name}\nversion: \"2.0.1\"\ndescription: \"Plans things ✓\"\nauthor: Ada\ntags:\n  - planning\n  - ünïcode\nruntimes: [python, node]\n";
        var before = DateTimeOffset.UtcNow;
        await platform.PublishAsync(name, new ArchiveBuilder().File("plugin.yaml", manifest).ToTarGz());
        var after = DateTimeOffset.UtcNow;

        var entry = await EntryAsync(name);

        AssertRecentTimestamp(entry, before, after);
        ApiClient.AssertJson(new JsonObject
        {
            ["name"] = name, ["version"] = "2.0.1", ["description"] = "Plans things ✓", ["author"] = "Ada",
            ["tags"] = new JsonArray("planning", "ünïcode"), ["runtimes"] = new JsonArray("python", "node"),
            ["updated_at"] = entry["updated_at"]!.DeepClone(),
        }, entry);
    }

    [Fact]
    public async Task List_entry_of_a_bare_manifest_has_empty_strings_and_lists()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, new ArchiveBuilder().File("plugin.yaml", "{}\n").ToTarGz());

        var entry = await EntryAsync(name);

        ApiClient.AssertJson(new JsonObject
        {
            ["name"] = name, ["version"] = "", ["description"] = "", ["author"] = "",
            ["tags"] = new JsonArray(), ["runtimes"] = new JsonArray(), ["updated_at"] = entry["updated_at"]!.DeepClone(),
        }, entry);
        Assert.Matches(RegistryApi.TimestampPattern, entry["updated_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_is_ordered_by_name()
    {
        var stem = PluginsApi.UniqueName();
        var (a, b) = (stem + "-a", stem + "-b");
        await platform.PublishAsync(b, PluginsApi.Base(b).ToTarGz());
        await platform.PublishAsync(a, PluginsApi.Base(a).ToTarGz());

        var list = await platform.SendAsync(HttpMethod.Get, "/plugins", bearer: platform.AdminToken);

        list.AssertStatus(200);
        var names = list.Array.Select(e => e!["name"]!.GetValue<string>()).ToList();
        Assert.True(names.IndexOf(a) >= 0 && names.IndexOf(a) < names.IndexOf(b), $"{a} before {b}");
    }

    [Fact]
    public async Task List_is_open_to_any_workspace_token()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());
        var ws = await platform.CreateClaimedAsync("lister");

        var entry = await EntryAsync(name, ws.Token);

        Assert.Equal("1.0.0", entry["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_answers_200_with_status_and_name()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());

        var response = await platform.AdminAsync(HttpMethod.Delete, "/plugins/" + name);

        response.AssertBody(200, new JsonObject { ["status"] = "deleted", ["name"] = name });
    }

    [Fact]
    public async Task A_deleted_plugin_is_no_longer_downloadable()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());

        (await platform.AdminAsync(HttpMethod.Delete, "/plugins/" + name)).AssertStatus(200);

        await platform.AssertNotStoredAsync(name);
    }

    [Fact]
    public async Task A_deleted_plugin_leaves_the_list()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());

        (await platform.AdminAsync(HttpMethod.Delete, "/plugins/" + name)).AssertStatus(200);

        var list = await platform.SendAsync(HttpMethod.Get, "/plugins", bearer: platform.AdminToken);
        list.AssertStatus(200);
        Assert.DoesNotContain(list.Array, e => e!["name"]!.GetValue<string>() == name);
    }

    [Fact]
    public async Task Deleting_twice_answers_404_plugin_not_found()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());
        (await platform.AdminAsync(HttpMethod.Delete, "/plugins/" + name)).AssertStatus(200);

        var again = await platform.AdminAsync(HttpMethod.Delete, "/plugins/" + name);

        again.AssertBody(404, PluginsApi.PluginNotFound);
    }

    [Fact]
    public async Task Deleting_a_plugin_never_published_answers_404()
    {
        var response = await platform.AdminAsync(HttpMethod.Delete, "/plugins/" + PluginsApi.UniqueName());

        response.AssertBody(404, PluginsApi.PluginNotFound);
    }

    [Fact]
    public async Task Downloading_a_plugin_never_published_answers_404_on_both_routes()
    {
        var name = PluginsApi.UniqueName();
        var ws = await platform.CreateClaimedAsync("dl-missing");

        var global = await platform.DownloadAsync(name, ws.Token!);
        var own = await platform.WorkspaceDownloadAsync(ws, name);

        global.Api.AssertBody(404, PluginsApi.PluginNotFound);
        own.Api.AssertBody(404, PluginsApi.PluginNotFound);
    }

    [Fact]
    public async Task A_second_upload_replaces_the_files()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, new ArchiveBuilder().File("plugin.yaml", PluginsApi.Manifest(name)).File("old.txt", "old\n").ToTarGz());
        var v2 = $"name: {name}\nversion: \"2.0.0\"\n";

        var second = await platform.PutPluginAsync(name, new ArchiveBuilder().File("plugin.yaml", v2).File("new.txt", "new\n").ToTarGz());

        Assert.Equal(201, second.Status);
        var download = await platform.AdminDownloadAsync(name);
        Assert.Equal(200, download.Status);
        var files = Unpacker.Unpack(download.Body).ToDictionary(e => e.Name, e => System.Text.Encoding.UTF8.GetString(e.Data ?? []));
        Assert.Equal(new Dictionary<string, string> { ["new.txt"] = "new\n", ["plugin.yaml"] = v2 }, files);
    }

    [Fact]
    public async Task A_second_upload_replaces_the_list_entry()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, new ArchiveBuilder().File("plugin.yaml", $"version: \"1\"\ndescription: first\nauthor: A\ntags: [x]\n").ToTarGz());

        await platform.PublishAsync(name, new ArchiveBuilder().File("plugin.yaml", "version: \"2\"\n").ToTarGz());

        var entry = await EntryAsync(name);
        ApiClient.AssertJson(new JsonObject
        {
            ["name"] = name, ["version"] = "2", ["description"] = "", ["author"] = "",
            ["tags"] = new JsonArray(), ["runtimes"] = new JsonArray(), ["updated_at"] = entry["updated_at"]!.DeepClone(),
        }, entry);
    }

    [Fact]
    public async Task A_second_upload_changes_the_entity_tag()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());
        var first = await platform.AdminDownloadAsync(name);

        await platform.PublishAsync(name, PluginsApi.Base(name).File("more.txt", "more\n").ToTarGz());

        var second = await platform.AdminDownloadAsync(name);
        Assert.NotNull(first.Header("ETag"));
        Assert.NotEqual(first.Header("ETag"), second.Header("ETag"));
    }
}
