using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Plugins;

/// <summary>
/// PUT /plugins/:name refuses hostile or broken uploads (contract §5.3) with
/// 400 {"error":"invalid plugin archive","detail":…} and stores nothing; the 50 MiB cap is a 413 (§0.3).
/// </summary>
public sealed class PluginUploadValidationTests(PluginPlatformFixture fixture) : IClassFixture<PluginPlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static readonly string ValidHexButWrong = new('0', 64);

    /// <summary>Each hostile case starts from <see cref="PluginsApi.Base"/> (accepted on its own, see the control test).</summary>
    public static TheoryData<string> Hostile() => new()
    {
        "not gzip (plain tar)", "not gzip (text)", "gzip of garbage", "gzip of nothing", "truncated gzip",
        "dot-dot entry", "dot-dot inside a path", "absolute entry", "backslash in a name",
        "symlink", "hard link", "character device", "block device", "fifo",
        "duplicate file", "duplicate after ./", "duplicate directory", "file and directory with one path",
        "missing plugin.yaml", "plugin.yaml only in a leading folder", "plugin.yaml is a directory",
        "plugin.yaml is a sequence", "plugin.yaml is a scalar", "malformed yaml", "plugin.yaml over 64 KiB",
        "plugin.yaml name differs", "sha256 not hex", "sha256 too short", "sha256 does not match the files",
        "sha256 covers the root plugin.yaml",
    };

    private static byte[] Build(string kind, string name) => kind switch
    {
        "not gzip (plain tar)" => PluginsApi.Base(name).ToTar(),
        "not gzip (text)" => Encoding.UTF8.GetBytes("this is not an archive at all\n"),
        "gzip of garbage" => ArchiveBuilder.GzipBytes(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("garbage, not a tar header. ", 200)))),
        "gzip of nothing" => ArchiveBuilder.GzipBytes([]),
        "truncated gzip" => PluginsApi.Base(name).File("big.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(200_000)).ToTarGz()[..100_000],
        "dot-dot entry" => PluginsApi.Base(name).File("../x", "escape\n").ToTarGz(),
        "dot-dot inside a path" => PluginsApi.Base(name).File("skills/../../x", "escape\n").ToTarGz(),
        "absolute entry" => PluginsApi.Base(name).File("/etc/passwd", "root:x:0:0\n").ToTarGz(),
        "backslash in a name" => PluginsApi.Base(name).File("skills\\x.md", "x\n").ToTarGz(),
        "symlink" => PluginsApi.Base(name).Entry(() => new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = "/etc/passwd" }).ToTarGz(),
        "hard link" => PluginsApi.Base(name).Entry(() => new PaxTarEntry(TarEntryType.HardLink, "hl") { LinkName = "README.md" }).ToTarGz(),
        "character device" => PluginsApi.Base(name).Entry(() => new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 }).ToTarGz(),
        "block device" => PluginsApi.Base(name).Entry(() => new PaxTarEntry(TarEntryType.BlockDevice, "sda") { DeviceMajor = 8, DeviceMinor = 0 }).ToTarGz(),
        "fifo" => PluginsApi.Base(name).Entry(() => new PaxTarEntry(TarEntryType.Fifo, "pipe")).ToTarGz(),
        "duplicate file" => PluginsApi.Base(name).File("README.md", "second\n").ToTarGz(),
        "duplicate after ./" => PluginsApi.Base(name).File("./README.md", "second\n").ToTarGz(),
        "duplicate directory" => PluginsApi.Base(name).Directory("skills/").Directory("./skills/").ToTarGz(),
        "file and directory with one path" => PluginsApi.Base(name).File("skills", "file\n").Directory("skills/").ToTarGz(),
        "missing plugin.yaml" => new ArchiveBuilder().File("README.md", "hello\n").ToTarGz(),
        "plugin.yaml only in a leading folder" => new ArchiveBuilder().Directory(name + "/").File(name + "/plugin.yaml", PluginsApi.Manifest(name)).ToTarGz(),
        "plugin.yaml is a directory" => new ArchiveBuilder().Directory("plugin.yaml/").File("plugin.yaml/x", "x\n").ToTarGz(),
        "plugin.yaml is a sequence" => new ArchiveBuilder().File("plugin.yaml", "- a\n- b\n").ToTarGz(),
        "plugin.yaml is a scalar" => new ArchiveBuilder().File("plugin.yaml", "just some text\n").ToTarGz(),
        "malformed yaml" => new ArchiveBuilder().File("plugin.yaml", "name: [unclosed\nversion: \"1\n").ToTarGz(),
        "plugin.yaml over 64 KiB" => new ArchiveBuilder().File("plugin.yaml", PluginsApi.Manifest(name) + "# " + new string('x', 65_536) + "\n").ToTarGz(),
        "plugin.yaml name differs" => new ArchiveBuilder().File("plugin.yaml", PluginsApi.Manifest(name + "-other")).ToTarGz(),
        "sha256 not hex" => new ArchiveBuilder().File("plugin.yaml", PluginsApi.Manifest(name, $"sha256: {new string('g', 64)}\n")).ToTarGz(),
        "sha256 too short" => new ArchiveBuilder().File("plugin.yaml", PluginsApi.Manifest(name, $"sha256: {ValidHexButWrong[..63]}\n")).ToTarGz(),
        "sha256 does not match the files" => new ArchiveBuilder()
            .File("plugin.yaml", PluginsApi.Manifest(name, $"sha256: {SdkHash.Compute([("README.md", "hello!\n"u8.ToArray())])}\n"))
            .File("README.md", "hello\n").ToTarGz(),
        "sha256 covers the root plugin.yaml" => ShaOverManifestToo(name),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind),
    };

    /// <summary>A hash over README.md and a plugin.yaml: wrong, because §5.2 leaves the root plugin.yaml out.</summary>
    private static byte[] ShaOverManifestToo(string name)
    {
        var readme = "hello\n"u8.ToArray();
        var wrong = SdkHash.Compute([("README.md", readme), ("x/plugin.yaml", "name: x\n"u8.ToArray())]);
        return new ArchiveBuilder().File("plugin.yaml", PluginsApi.Manifest(name, $"sha256: {wrong}\n")).File("README.md", readme).ToTarGz();
    }

    private async Task AssertRefusedAsync(string name, RawResponse response)
    {
        Assert.True(response.Status == 400, $"expected 400, got {response.Status}: {response.Api.Text}");
        var body = response.Api.Object;
        Assert.Equal(["detail", "error"], body.Select(kv => kv.Key).Order(StringComparer.Ordinal));
        Assert.Equal("invalid plugin archive", body["error"]!.GetValue<string>());
        Assert.Equal(System.Text.Json.JsonValueKind.String, body["detail"]!.GetValueKind());
        Assert.False(string.IsNullOrWhiteSpace(body["detail"]!.GetValue<string>()));
        await platform.AssertNotStoredAsync(name);
    }

    [Fact]
    public async Task Control_the_base_archive_is_accepted()
    {
        var name = PluginsApi.UniqueName();

        var response = await platform.PutPluginAsync(name, PluginsApi.Base(name).ToTarGz());

        Assert.Equal(201, response.Status);
    }

    [Fact]
    public async Task Control_an_archive_made_with_tar_czf_dash_C_dir_dot_is_accepted()
    {
        var name = PluginsApi.UniqueName();
        var archive = new ArchiveBuilder().Directory("./").File("./plugin.yaml", PluginsApi.Manifest(name)).Directory("./skills/")
            .File("./skills/a.md", "a\n").ToTarGz();

        var response = await platform.PutPluginAsync(name, archive);

        response.Api.AssertBody(201, new JsonObject
        {
            ["name"] = name, ["version"] = "1.0.0", ["description"] = "", ["files"] = 2, ["bytes"] = response.Api.Object["bytes"]!.DeepClone(),
        });
    }

    [Fact]
    public async Task Control_a_matching_sha256_is_accepted()
    {
        var name = PluginsApi.UniqueName();
        var readme = "hello\n"u8.ToArray();
        var archive = new ArchiveBuilder().File("plugin.yaml", PluginsApi.Manifest(name, $"sha256: {SdkHash.Compute([("README.md", readme)])}\n"))
            .File("README.md", readme).ToTarGz();

        var response = await platform.PutPluginAsync(name, archive);

        Assert.Equal(201, response.Status);
    }

    [Fact]
    public async Task Control_the_empty_list_hash_is_accepted_for_a_plugin_with_only_plugin_yaml()
    {
        var name = PluginsApi.UniqueName();
        var archive = new ArchiveBuilder()
            .File("plugin.yaml", PluginsApi.Manifest(name, "sha256: 4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945\n")).ToTarGz();

        var response = await platform.PutPluginAsync(name, archive);

        Assert.Equal(201, response.Status);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_or_broken_upload_is_refused_and_nothing_is_stored(string kind)
    {
        var name = PluginsApi.UniqueName();
        var archive = Build(kind, name);

        var response = await platform.PutPluginAsync(name, archive);

        await AssertRefusedAsync(name, response);
    }

    [Fact]
    public async Task A_refused_upload_leaves_the_previous_version_in_place()
    {
        var name = PluginsApi.UniqueName();
        await platform.PublishAsync(name, PluginsApi.Base(name).ToTarGz());
        var before = await platform.AdminDownloadAsync(name);

        var response = await platform.PutPluginAsync(name, PluginsApi.Base(name).File("../x", "x\n").ToTarGz());

        Assert.Equal(400, response.Status);
        var after = await platform.AdminDownloadAsync(name);
        Assert.Equal(200, after.Status);
        Assert.Equal(before.Body, after.Body);
    }

    [Fact]
    public async Task More_than_200_MiB_uncompressed_is_refused()
    {
        var name = PluginsApi.UniqueName();
        var archive = PluginsApi.Base(name)
            .Entry(() => new PaxTarEntry(TarEntryType.RegularFile, "zeros.bin") { DataStream = new ZeroStream(201L * 1024 * 1024), Mode = PluginsApi.Mode644 })
            .ToTarGz();
        Assert.True(archive.Length < 4 * 1024 * 1024, $"the bomb is {archive.Length} bytes compressed");

        var response = await platform.PutPluginAsync(name, archive);

        await AssertRefusedAsync(name, response);
    }

    [Fact]
    public async Task More_than_10000_entries_is_refused()
    {
        var name = PluginsApi.UniqueName();
        var builder = PluginsApi.Base(name); // 2 entries
        for (var i = 0; i < 9_999; i++) builder.File($"f{i:D5}", "");

        var response = await platform.PutPluginAsync(name, builder.ToTarGz());

        await AssertRefusedAsync(name, response);
    }

    [Fact]
    public async Task Exactly_10000_entries_is_accepted()
    {
        var name = PluginsApi.UniqueName();
        var builder = PluginsApi.Base(name); // 2 entries
        for (var i = 0; i < 9_998; i++) builder.File($"f{i:D5}", "");

        var response = await platform.PutPluginAsync(name, builder.ToTarGz());

        Assert.True(response.Status == 201, $"expected 201, got {response.Status}: {response.Api.Text}");
        Assert.Equal(10_000, response.Api.Object["files"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_50_MiB_answers_413(bool chunked)
    {
        // A raw HTTP/1.1 client that reads the answer while still sending, as curl does: the server may answer
        // (and close) before the body is sent, which HttpClient reports as a broken pipe.
        var name = PluginsApi.UniqueName();

        var (status, body) = await RawHttp.PutZerosAsync(platform.BaseAddress, "/plugins/" + name, "Bearer " + platform.AdminToken,
            50L * 1024 * 1024 + 1, chunked);

        Assert.True(status == 413, $"expected 413, got {status}: {body}");
        ApiClient.AssertJson(JsonNode.Parse("""{"error":"request body too large","code":"payload_too_large","detail":"limit 52428800 bytes"}"""),
            JsonNode.Parse(body));
        await platform.AssertNotStoredAsync(name);
    }

    [Fact]
    public async Task A_valid_upload_of_40_MiB_is_accepted()
    {
        // Under the 50 MiB cap of §0.3, above common server defaults (Kestrel's 30,000,000 bytes).
        var name = PluginsApi.UniqueName();
        var random = new byte[40 * 1024 * 1024];
        new Random(42).NextBytes(random);
        var archive = PluginsApi.Base(name).File("random.bin", random).ToTarGz();
        Assert.InRange(archive.Length, 40L * 1024 * 1024, 50L * 1024 * 1024);

        var response = await platform.PutLargeAsync(name, PluginsApi.Gzip(archive));

        Assert.True(response.Status == 201, $"expected 201, got {response.Status}: {response.Api.Text}");
    }

    public static TheoryData<string, string> BadNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in new[] { "PUT", "DELETE", "GET download", "GET workspace download", "POST install bare", "POST install local" })
            foreach (var bad in new[] { "UPPER", "x%20y", "-x", "_x", ".x", new string('a', 129), "a%2Fb" })
                data.Add(route, bad);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task A_bad_plugin_name_answers_400_on_every_route(string route, string bad)
    {
        var ws = await platform.CreateClaimedAsync("bad-names");
        var admin = "Bearer " + platform.AdminToken;
        var own = "Bearer " + ws.Token;

        var response = route switch
        {
            "PUT" => await platform.SendRawAsync(HttpMethod.Put, "/plugins/" + bad, PluginsApi.Gzip(PluginsApi.Base("x").ToTarGz()), admin),
            "DELETE" => await platform.SendRawAsync(HttpMethod.Delete, "/plugins/" + bad, authorization: admin),
            "GET download" => await platform.SendRawAsync(HttpMethod.Get, $"/plugins/{bad}/download", authorization: admin),
            "GET workspace download" => await platform.SendRawAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/plugins/{bad}/download", authorization: own),
            "POST install bare" => await platform.SendRawAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/plugins",
                new StringContent(new JsonObject { ["source"] = Uri.UnescapeDataString(bad) }.ToJsonString(), Encoding.UTF8, "application/json"), own),
            _ => await platform.SendRawAsync(HttpMethod.Post, $"/workspaces/{ws.Id}/plugins",
                new StringContent(new JsonObject { ["source"] = "local://" + Uri.UnescapeDataString(bad) }.ToJsonString(), Encoding.UTF8, "application/json"), own),
        };

        response.Api.AssertError(400, "invalid plugin name");
    }
}
