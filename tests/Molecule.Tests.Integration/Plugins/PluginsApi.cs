using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Plugins;

/// <summary>A response kept as bytes (plugin downloads are binary), with the JSON view of ApiResponse.</summary>
public sealed record RawResponse(int Status, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, byte[] Body)
{
    public ApiResponse Api => new(Status, Headers, ContentHeaders, Encoding.UTF8.GetString(Body));

    public string? Header(string name) => Api.Header(name);
}

/// <summary>Helpers for the plugin routes (contract §3.11, §5).</summary>
public static class PluginsApi
{
    public const UnixFileMode Mode644 = (UnixFileMode)0b110_100_100;
    public const UnixFileMode Mode755 = (UnixFileMode)0b111_101_101;

    public static readonly JsonNode PluginNotFound = JsonNode.Parse("""{"error":"plugin not found"}""")!;

    /// <summary>A fresh plugin name (names are global; tests run in parallel on one Azurite).</summary>
    public static string UniqueName(string prefix = "p") => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<RawResponse> SendRawAsync(this TestPlatform platform, HttpMethod method, string path,
        HttpContent? content = null, string? authorization = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await platform.Http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return new RawResponse((int)response.StatusCode, response.Headers, response.Content.Headers, body);
    }

    public static ByteArrayContent Gzip(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        return content;
    }

    /// <summary>PUT with Expect: 100-continue, so a refusal before the body is read reaches the client instead of a broken pipe.</summary>
    public static async Task<RawResponse> PutLargeAsync(this TestPlatform platform, string name, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/plugins/" + name) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + platform.AdminToken);
        request.Headers.ExpectContinue = true;
        using var response = await platform.Http.SendAsync(request);
        return new RawResponse((int)response.StatusCode, response.Headers, response.Content.Headers, await response.Content.ReadAsByteArrayAsync());
    }

    public static Task<RawResponse> PutPluginAsync(this TestPlatform platform, string name, byte[] archive, string? authorization = "admin") =>
        platform.SendRawAsync(HttpMethod.Put, "/plugins/" + name, Gzip(archive),
            authorization == "admin" ? "Bearer " + platform.AdminToken : authorization);

    /// <summary>Uploads as admin and asserts 201.</summary>
    public static async Task<JsonObject> PublishAsync(this TestPlatform platform, string name, byte[] archive)
    {
        var response = await platform.PutPluginAsync(name, archive);
        Assert.True(response.Status == 201, $"PUT /plugins/{name} answered {response.Status}: {response.Api.Text}");
        return response.Api.Object;
    }

    public static Task<RawResponse> AdminDownloadAsync(this TestPlatform platform, string name, string? query = null) =>
        platform.SendRawAsync(HttpMethod.Get, $"/plugins/{name}/download{query}", authorization: "Bearer " + platform.AdminToken);

    public static Task<RawResponse> DownloadAsync(this TestPlatform platform, string name, string token, string? query = null) =>
        platform.SendRawAsync(HttpMethod.Get, $"/plugins/{name}/download{query}", authorization: "Bearer " + token);

    public static Task<RawResponse> WorkspaceDownloadAsync(this TestPlatform platform, Agent ws, string name, string? query = null) =>
        platform.SendRawAsync(HttpMethod.Get, $"/workspaces/{ws.Id}/plugins/{name}/download{query}", authorization: "Bearer " + ws.Token);

    /// <summary>Asserts the plugin is not stored: the admin download answers 404 plugin not found.</summary>
    public static async Task AssertNotStoredAsync(this TestPlatform platform, string name)
    {
        var download = await platform.AdminDownloadAsync(name);
        download.Api.AssertBody(404, PluginNotFound);
    }

    /// <summary>A minimal valid plugin.yaml.</summary>
    public static string Manifest(string name, string? extra = null) => $"name: {name}\nversion: \"1.0.0\"\n{extra}";

    /// <summary>The base archive the hostile cases start from: valid on its own.</summary>
    public static ArchiveBuilder Base(string name) => new ArchiveBuilder()
        .File("plugin.yaml", Manifest(name))
        .File("README.md", "hello\n");
}

/// <summary>Writes tar and tar.gz fixtures with System.Formats.Tar, including entries no sane tool would produce.</summary>
public sealed class ArchiveBuilder
{
    public static readonly DateTimeOffset DefaultTime = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly List<Func<TarEntry>> entries = [];

    public ArchiveBuilder File(string name, string content, UnixFileMode mode = PluginsApi.Mode644, DateTimeOffset? modified = null) =>
        File(name, Encoding.UTF8.GetBytes(content), mode, modified);

    public ArchiveBuilder File(string name, byte[] content, UnixFileMode mode = PluginsApi.Mode644, DateTimeOffset? modified = null) =>
        Entry(() => new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(content), Mode = mode, ModificationTime = modified ?? DefaultTime,
            Uid = 1000, Gid = 1000, UserName = "alice", GroupName = "staff",
        });

    public ArchiveBuilder Directory(string name, UnixFileMode mode = PluginsApi.Mode755) =>
        Entry(() => new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, ModificationTime = DefaultTime, Uid = 1000, Gid = 1000 });

    public ArchiveBuilder Entry(Func<TarEntry> entry)
    {
        entries.Add(entry);
        return this;
    }

    public byte[] ToTar()
    {
        using var output = new MemoryStream();
        WriteTar(output);
        return output.ToArray();
    }

    public byte[] ToTarGz()
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) WriteTar(gzip);
        return output.ToArray();
    }

    private void WriteTar(Stream stream)
    {
        using var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var make in entries) writer.WriteEntry(make());
    }

    public static byte[] GzipBytes(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }
}

/// <summary>One entry of a downloaded archive.</summary>
public sealed record UnpackedEntry(string Name, TarEntryType Type, UnixFileMode Mode, int Uid, int Gid, string? UserName, string? GroupName,
    DateTimeOffset Modified, string? LinkName, byte[]? Data);

public static class Unpacker
{
    public static List<UnpackedEntry> Unpack(byte[] tarGz)
    {
        using var gzip = new GZipStream(new MemoryStream(tarGz), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var list = new List<UnpackedEntry>();
        while (reader.GetNextEntry() is { } entry)
        {
            byte[]? data = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile ? [] : null;
            if (entry.DataStream is { } stream)
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                data = copy.ToArray();
            }
            var posix = entry as PosixTarEntry;
            list.Add(new UnpackedEntry(entry.Name, entry.EntryType, entry.Mode, entry.Uid, entry.Gid, posix?.UserName, posix?.GroupName,
                entry.ModificationTime, entry.LinkName, data));
        }
        return list;
    }
}

/// <summary>
/// The SDK's content hash (§5.2), written independently of Molecule.Core: code-point order, Python's
/// json.dumps(pairs, sort_keys=True) text with ensure_ascii, SHA-256 hex.
/// </summary>
public static class SdkHash
{
    public static string Compute(IEnumerable<(string Path, byte[] Content)> files)
    {
        var pairs = files.Where(f => f.Path != "plugin.yaml")
            .Select(f => (f.Path, Hex: Convert.ToHexStringLower(SHA256.HashData(f.Content))))
            .OrderBy(f => CodePoints(f.Path), CodePointOrder.Instance)
            .Select(f => $"[{Json(f.Path)}, {Json(f.Hex)}]");
        var text = "[" + string.Join(", ", pairs) + "]";
        Assert.All(text, c => Assert.InRange(c, ' ', '~'));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)));
    }

    private static int[] CodePoints(string s) => s.EnumerateRunes().Select(r => r.Value).ToArray();

    /// <summary>A Python json string literal with ensure_ascii=True.</summary>
    public static string Json(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var rune in s.EnumerateRunes())
        {
            var v = rune.Value;
            if (v == '"') b.Append("\\\"");
            else if (v == '\\') b.Append("\\\\");
            else if (v == '\n') b.Append("\\n");
            else if (v == '\r') b.Append("\\r");
            else if (v == '\t') b.Append("\\t");
            else if (v == '\b') b.Append("\\b");
            else if (v == '\f') b.Append("\\f");
            else if (v is >= 0x20 and <= 0x7e) b.Append((char)v);
            else if (v < 0x10000) b.Append($"\\u{v:x4}");
            else
            {
                var u = v - 0x10000;
                b.Append($"\\u{0xD800 + (u >> 10):x4}\\u{0xDC00 + (u & 0x3FF):x4}");
            }
        }
        return b.Append('"').ToString();
    }

    private sealed class CodePointOrder : IComparer<int[]>
    {
        public static readonly CodePointOrder Instance = new();
        public int Compare(int[]? x, int[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

/// <summary>A seekable read-only stream of zeros of a given length, so a 201 MiB entry never sits in memory.</summary>
public sealed class ZeroStream(long length) : Stream
{
    private long position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => position; set => position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - position);
        if (n <= 0) return 0;
        buffer[..n].Clear();
        position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => position + offset,
        _ => length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A platform for plugin tests: rate limit raised (auth matrices send many admin calls a minute; §0.8 is not under test).</summary>
public sealed class PluginPlatformFixture : IAsyncLifetime
{
    public TestPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "1000000" });

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}
