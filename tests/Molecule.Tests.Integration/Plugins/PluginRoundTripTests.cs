using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Plugins;

/// <summary>
/// One upload with nested folders, an executable, dotfiles, non-ASCII and long names, "./"-prefixed entries and
/// a §5.2 sha256; downloaded through both routes by three callers. Each test checks one property (§3.11, §5.1, §5.2).
/// </summary>
public sealed class RoundTripFixture : IAsyncLifetime
{
    public sealed record UploadedFile(string Path, byte[] Content, bool Executable, DateTimeOffset Modified);

    public TestPlatform Platform { get; private set; } = null!;
    public string Name { get; } = PluginsApi.UniqueName("rt");
    public string DeclaredHash { get; private set; } = "";
    public List<UploadedFile> Files { get; } = [];
    public HashSet<string> Directories { get; } = new(StringComparer.Ordinal);
    public RawResponse Upload { get; private set; } = null!;
    public Agent Own { get; private set; } = null!;
    public Agent Other { get; private set; } = null!;
    public RawResponse OwnDownload { get; private set; } = null!;
    public RawResponse OtherDownload { get; private set; } = null!;
    public RawResponse AdminDownload { get; private set; } = null!;
    public List<UnpackedEntry> Entries { get; private set; } = null!;

    public static readonly string LongPath = "deep/" + new string('a', 70) + "/" + new string('b', 70) + ".txt";

    public async Task InitializeAsync()
    {
        Platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "1000000" });
        var time = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var random = RandomNumberGenerator.GetBytes(100_000);
        void Add(string path, byte[] content, bool exec = false) => Files.Add(new UploadedFile(path, content, exec, time.AddMinutes(Files.Count + 1)));
        Add("README.md", "hello\n"u8.ToArray());
        Add(".env.example", "KEY=value\n"u8.ToArray());
        Add(".hidden-dir/.config", "x = 1\n"u8.ToArray());
        Add("bin/run.sh", "#!/bin/sh\necho run\n"u8.ToArray(), exec: true);
        Add("bin/tool", "#!/bin/sh\necho tool\n"u8.ToArray(), exec: true);
        Add("skills/hello/SKILL.md", "# skill\n"u8.ToArray());
        Add("skills/hello/plugin.yaml", "name: nested\n"u8.ToArray());
        Add("skills/héllo/ñandú.md", Encoding.UTF8.GetBytes("¿qué?\n"));
        Add("docs/\uE000.md", "private use\n"u8.ToArray());
        Add("docs/\U0001F600.md", "emoji\n"u8.ToArray());
        Add("docs/z.md", "zed\n"u8.ToArray());
        Add(LongPath, "long\n"u8.ToArray());
        Add("empty.txt", []);
        Add("data.bin", random);
        DeclaredHash = SdkHash.Compute(Files.Select(f => (f.Path, f.Content)));
        var manifest = Encoding.UTF8.GetBytes(
            $"name: {Name}\nversion: \"1.2.3\"\ndescription: \"Round trip plugin\"\nauthor: Test Author\ntags: [alpha, beta]\nruntimes: [python]\nsha256: {DeclaredHash}\n");
        Files.Insert(0, new UploadedFile("plugin.yaml", manifest, false, time));

        var byPath = Files.ToDictionary(f => f.Path);
        UploadedFile F(string path) => byPath[path];
        var archive = new ArchiveBuilder()
            .Directory("./")
            .File("./plugin.yaml", F("plugin.yaml").Content, modified: F("plugin.yaml").Modified)
            .File("./README.md", F("README.md").Content, modified: F("README.md").Modified)
            .File("./.env.example", F(".env.example").Content, (UnixFileMode)0b110_000_000, F(".env.example").Modified) // 0600
            .Directory("./.hidden-dir/", (UnixFileMode)0b111_000_000) // 0700
            .File("./.hidden-dir/.config", F(".hidden-dir/.config").Content, (UnixFileMode)0b110_110_110, F(".hidden-dir/.config").Modified) // 0666
            .Directory("bin/", (UnixFileMode)0b111_000_000)
            .File("bin/run.sh", F("bin/run.sh").Content, (UnixFileMode)0b111_100_100, F("bin/run.sh").Modified) // 0744
            .File("bin/tool", F("bin/tool").Content, (UnixFileMode)0b110_101_100, F("bin/tool").Modified) // 0654: group x only
            .File("skills/hello/SKILL.md", F("skills/hello/SKILL.md").Content, modified: F("skills/hello/SKILL.md").Modified) // no dir entries
            .File("skills/hello/plugin.yaml", F("skills/hello/plugin.yaml").Content, modified: F("skills/hello/plugin.yaml").Modified)
            .File("./skills/héllo/ñandú.md", F("skills/héllo/ñandú.md").Content, modified: F("skills/héllo/ñandú.md").Modified)
            .File("docs/z.md", F("docs/z.md").Content, modified: F("docs/z.md").Modified)
            .File("docs/\U0001F600.md", F("docs/\U0001F600.md").Content, modified: F("docs/\U0001F600.md").Modified)
            .File("docs/\uE000.md", F("docs/\uE000.md").Content, modified: F("docs/\uE000.md").Modified)
            .File(LongPath, F(LongPath).Content, modified: F(LongPath).Modified)
            .File("empty.txt", F("empty.txt").Content, (UnixFileMode)0b110_000_000, F("empty.txt").Modified)
            .File("./data.bin", F("data.bin").Content, (UnixFileMode)0b111_111_111 & ~(UnixFileMode)0b001_001_001, F("data.bin").Modified) // 0666
            .Directory("./empty-dir/")
            .ToTarGz();
        foreach (var d in new[] { ".hidden-dir", "bin", "skills", "skills/hello", "skills/héllo", "docs", "deep", "deep/" + new string('a', 70), "empty-dir" })
            Directories.Add(d);

        Upload = await Platform.PutPluginAsync(Name, archive);
        Own = await Platform.CreateClaimedAsync("rt-own");
        Other = await Platform.CreateClaimedAsync("rt-other");
        OwnDownload = await Platform.WorkspaceDownloadAsync(Own, Name);
        OtherDownload = await Platform.DownloadAsync(Name, Other.Token!);
        AdminDownload = await Platform.AdminDownloadAsync(Name);
        Entries = OwnDownload.Status == 200 ? Unpacker.Unpack(OwnDownload.Body) : [];
    }

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

public sealed class PluginRoundTripTests(RoundTripFixture f) : IClassFixture<RoundTripFixture>
{
    private static string NameOf(UnpackedEntry e) => e.Type == TarEntryType.Directory ? e.Name.TrimEnd('/') : e.Name;

    private void AssertDownloaded()
    {
        Assert.True(f.Upload.Status == 201, $"upload answered {f.Upload.Status}: {f.Upload.Api.Text}");
        Assert.True(f.OwnDownload.Status == 200, $"download answered {f.OwnDownload.Status}: {f.OwnDownload.Api.Text}");
    }

    public static TheoryData<string> Routes() => new() { "own", "other", "admin" };

    private RawResponse Download(string route) => route switch
    {
        "own" => f.OwnDownload,
        "other" => f.OtherDownload,
        _ => f.AdminDownload,
    };

    [Fact]
    public void Upload_answers_201_with_name_version_description_files_and_bytes()
    {
        var upload = f.Upload;

        AssertDownloaded();
        upload.Api.AssertBody(201, new JsonObject
        {
            ["name"] = f.Name, ["version"] = "1.2.3", ["description"] = "Round trip plugin",
            ["files"] = f.Files.Count, ["bytes"] = f.OwnDownload.Body.Length,
        });
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void Download_answers_200_with_the_contract_headers(string route)
    {
        var download = Download(route);

        Assert.True(download.Status == 200, $"{route} download answered {download.Status}: {download.Api.Text}");
        Assert.Equal("application/gzip", download.Header("Content-Type"));
        Assert.Equal($"attachment; filename=\"{f.Name}.tar.gz\"", download.Header("Content-Disposition"));
        Assert.Equal(download.Body.Length.ToString(), download.Header("Content-Length"));
        Assert.Equal(f.Upload.Api.Object["bytes"]!.GetValue<long>().ToString(), download.Header("Content-Length"));
        Assert.Equal(f.Name, download.Header("X-Plugin-Name"));
        Assert.Equal("local://" + f.Name, download.Header("X-Plugin-Source"));
        Assert.Equal("private, no-cache", download.Header("Cache-Control"));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public void Download_carries_an_entity_tag(string route)
    {
        var download = Download(route);

        Assert.Equal(200, download.Status);
        Assert.Matches(new Regex("^(W/)?\"[^\"]+\"\\z"), download.Header("ETag") ?? "");
    }

    [Fact]
    public void Every_route_serves_the_same_bytes_and_entity_tag()
    {
        AssertDownloaded();

        Assert.Equal(f.OwnDownload.Body, f.OtherDownload.Body);
        Assert.Equal(f.OwnDownload.Body, f.AdminDownload.Body);
        Assert.Equal(f.OwnDownload.Header("ETag"), f.OtherDownload.Header("ETag"));
        Assert.Equal(f.OwnDownload.Header("ETag"), f.AdminDownload.Header("ETag"));
    }

    [Fact]
    public void Entry_names_are_relative_without_a_leading_folder_or_dot_slash()
    {
        AssertDownloaded();

        Assert.All(f.Entries, e =>
        {
            Assert.False(e.Name.StartsWith('/'), e.Name);
            Assert.False(e.Name.StartsWith("./", StringComparison.Ordinal), e.Name);
            Assert.NotEqual(".", NameOf(e));
            Assert.NotEqual("", NameOf(e));
            Assert.DoesNotContain("..", NameOf(e).Split('/'));
        });
        Assert.Contains(f.Entries, e => e.Name == "plugin.yaml" && e.Type == TarEntryType.RegularFile);
    }

    [Fact]
    public void Entries_are_exactly_the_uploaded_files_and_their_directories()
    {
        AssertDownloaded();

        var files = f.Entries.Where(e => e.Type != TarEntryType.Directory).Select(NameOf).Order(StringComparer.Ordinal);
        var dirs = f.Entries.Where(e => e.Type == TarEntryType.Directory).Select(NameOf).Order(StringComparer.Ordinal);
        Assert.Equal(f.Files.Select(x => x.Path).Order(StringComparer.Ordinal), files);
        Assert.Equal(f.Directories.Order(StringComparer.Ordinal), dirs);
    }

    [Fact]
    public void Entries_are_sorted_by_utf8_byte_order()
    {
        AssertDownloaded();

        var names = f.Entries.Select(e => e.Name).ToList();
        var sorted = names.OrderBy(n => Encoding.UTF8.GetBytes(n), ByteOrder.Instance).ToList();
        Assert.Equal(sorted, names);
        Assert.True(names.IndexOf("docs/\uE000.md") < names.IndexOf("docs/\U0001F600.md"), "U+E000 sorts before U+1F600 in byte order");
    }

    [Fact]
    public void Every_directory_entry_comes_before_its_contents()
    {
        AssertDownloaded();

        var names = f.Entries.Select(NameOf).ToList();
        for (var i = 0; i < f.Entries.Count; i++)
        {
            var path = names[i];
            for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                var parent = path[..slash];
                var at = f.Entries.FindIndex(e => e.Type == TarEntryType.Directory && NameOf(e) == parent);
                Assert.True(at >= 0 && at < i, $"directory {parent} must precede {path} (found at {at}, entry at {i})");
            }
        }
    }

    [Fact]
    public void Directories_have_mode_0755()
    {
        AssertDownloaded();

        Assert.All(f.Entries.Where(e => e.Type == TarEntryType.Directory), e => Assert.Equal(PluginsApi.Mode755, e.Mode));
    }

    [Fact]
    public void Files_are_byte_identical_to_the_upload()
    {
        AssertDownloaded();

        foreach (var file in f.Files)
        {
            var entry = Assert.Single(f.Entries, e => e.Name == file.Path);
            Assert.True(file.Content.AsSpan().SequenceEqual(entry.Data ?? []), $"{file.Path} differs");
        }
    }

    [Fact]
    public void Files_with_any_execute_bit_have_mode_0755_and_others_0644()
    {
        AssertDownloaded();

        foreach (var file in f.Files)
        {
            var entry = Assert.Single(f.Entries, e => e.Name == file.Path);
            Assert.True((file.Executable ? PluginsApi.Mode755 : PluginsApi.Mode644) == entry.Mode,
                $"{file.Path}: mode {Convert.ToString((int)entry.Mode, 8)}");
        }
    }

    [Fact]
    public void Files_keep_the_uploaded_modification_time()
    {
        AssertDownloaded();

        foreach (var file in f.Files)
        {
            var entry = Assert.Single(f.Entries, e => e.Name == file.Path);
            Assert.Equal(file.Modified, entry.Modified);
        }
    }

    [Fact]
    public void Every_entry_is_owned_by_uid_and_gid_0_with_empty_owner_names()
    {
        AssertDownloaded();

        Assert.All(f.Entries, e =>
        {
            Assert.Equal(0, e.Uid);
            Assert.Equal(0, e.Gid);
            Assert.True(string.IsNullOrEmpty(e.UserName), $"{e.Name}: uname {e.UserName}");
            Assert.True(string.IsNullOrEmpty(e.GroupName), $"{e.Name}: gname {e.GroupName}");
        });
    }

    [Fact]
    public void Only_regular_files_and_directories_are_present()
    {
        AssertDownloaded();

        Assert.All(f.Entries, e => Assert.Contains(e.Type, new[] { TarEntryType.RegularFile, TarEntryType.Directory }));
    }

    [Fact]
    public void The_content_hash_of_the_unpacked_files_matches_the_plugin_yaml_value()
    {
        AssertDownloaded();

        var manifest = Encoding.UTF8.GetString(Assert.Single(f.Entries, e => e.Name == "plugin.yaml").Data!);
        var declared = Regex.Match(manifest, @"^sha256: ([0-9a-f]{64})$", RegexOptions.Multiline).Groups[1].Value;
        var files = f.Entries.Where(e => e.Type == TarEntryType.RegularFile).Select(e => (e.Name, e.Data!));
        Assert.Equal(f.DeclaredHash, declared);
        Assert.Equal(declared, SdkHash.Compute(files));
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
