using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Serialization;

namespace Molecule.Core.Plugins;

public sealed record PluginManifest(string Version, string Description, string Author, IReadOnlyList<string> Tags, IReadOnlyList<string> Runtimes);

/// <summary>A validated upload rebuilt in canonical form (§5.1), in a temporary file the caller owns.</summary>
public sealed record CanonicalPlugin(string ArchivePath, PluginManifest Manifest, int Files, long Bytes) : IDisposable
{
    public void Dispose() => File.Delete(ArchivePath);
}

/// <summary>
/// Validates a plugin upload (§5.3) entry by entry without trusting its headers, then writes the canonical
/// archive (§5.1): entries relative to the plugin root, sorted by name, a directory entry before its
/// contents, files byte-identical with mode 0755/0644, owner 0. File contents are spooled to disk, never
/// held in memory.
/// </summary>
public static class PluginArchive
{
    public const long MaxUncompressed = 200L * 1024 * 1024;
    public const int MaxEntries = 10_000;
    public const int MaxManifest = 64 * 1024;
    private const UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101; // 0755
    private const UnixFileMode FileMode = (UnixFileMode)0b110_100_100; // 0644

    private sealed record FileEntry(string Path, string Temp, string Sha256, bool Executable, DateTimeOffset Modified);

    /// <summary>Returns the canonical plugin, or the reason the upload is refused (the detail of a 400).</summary>
    public static async Task<(CanonicalPlugin? Plugin, string? Error)> ProcessAsync(string uploadPath, string name, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("molecule-plugin-");
        try
        {
            var files = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
            var directories = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            string? error;
            try
            {
                error = await ReadAsync(uploadPath, work.FullName, files, directories, ct);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
            {
                error = "not a gzip-compressed tar archive";
            }
            if (error is not null) return (null, error);

            if (!files.TryGetValue("plugin.yaml", out var manifestFile)) return (null, "plugin.yaml missing at the archive root");
            if (new FileInfo(manifestFile.Temp).Length > MaxManifest) return (null, "plugin.yaml larger than 64 KiB");
            var (manifest, declaredName, declaredHash, manifestError) = ReadManifest(await File.ReadAllTextAsync(manifestFile.Temp, ct));
            if (manifestError is not null) return (null, manifestError);
            if (declaredName is not null && declaredName != name) return (null, $"plugin.yaml name \"{declaredName}\" differs from the URL name");
            if (declaredHash is not null)
            {
                if (declaredHash.Length != 64 || !declaredHash.All(Uri.IsHexDigit)) return (null, "plugin.yaml sha256 is not 64 hex characters");
                var actual = ContentHash.Compute(files.Values.Select(f => (f.Path, f.Sha256)));
                if (!string.Equals(actual, declaredHash, StringComparison.OrdinalIgnoreCase)) return (null, "plugin.yaml sha256 does not match the files");
            }

            foreach (var file in files.Values)
                for (var slash = file.Path.IndexOf('/'); slash > 0; slash = file.Path.IndexOf('/', slash + 1))
                    directories.TryAdd(file.Path[..slash], manifestFile.Modified);
            foreach (var dir in directories.Keys.ToList())
                for (var slash = dir.IndexOf('/'); slash > 0; slash = dir.IndexOf('/', slash + 1))
                    directories.TryAdd(dir[..slash], directories[dir]);
            if (directories.Keys.Any(files.ContainsKey)) return (null, "an entry is both a file and a directory");

            var archive = Path.Combine(Path.GetTempPath(), $"molecule-plugin-{Guid.NewGuid():N}.tar.gz");
            await WriteCanonicalAsync(archive, files.Values, directories, ct);
            return (new CanonicalPlugin(archive, manifest!, files.Count, new FileInfo(archive).Length), null);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string?> ReadAsync(string uploadPath, string work, Dictionary<string, FileEntry> files,
        Dictionary<string, DateTimeOffset> directories, CancellationToken ct)
    {
        await using var raw = File.OpenRead(uploadPath);
        if (raw.ReadByte() != 0x1f || raw.ReadByte() != 0x8b) return "not a gzip-compressed tar archive";
        raw.Position = 0;
        await using var gzip = new GZipStream(raw, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        long total = 0;
        var entries = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
            if (++entries > MaxEntries) return $"more than {MaxEntries} entries";
            var (path, nameError) = Normalize(entry.Name);
            if (nameError is not null) return nameError;
            if (path is null) continue; // the root entry "./"
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (!seen.Add(path)) return $"duplicate entry {path}";
                    directories[path] = entry.ModificationTime;
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (!seen.Add(path)) return $"duplicate entry {path}";
                    var temp = Path.Combine(work, files.Count.ToString());
                    string sha;
                    await using (var output = File.Create(temp))
                    {
                        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                        if (entry.DataStream is { } data)
                        {
                            var buffer = new byte[81920];
                            int read;
                            while ((read = await data.ReadAsync(buffer, ct)) > 0)
                            {
                                total += read;
                                if (total > MaxUncompressed) return "more than 200 MiB uncompressed";
                                hash.AppendData(buffer, 0, read);
                                await output.WriteAsync(buffer.AsMemory(0, read), ct);
                            }
                        }
                        sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                    }
                    files[path] = new FileEntry(path, temp, sha, (entry.Mode & Executable) != 0, entry.ModificationTime);
                    break;
                default:
                    return $"{path}: only regular files and directories are allowed ({entry.EntryType})";
            }
        }
        return null;
    }

    /// <summary>Entry name → plugin-relative path; null path for the root entry; an error for unsafe names.</summary>
    public static (string? Path, string? Error) Normalize(string name)
    {
        if (name.Contains('\0')) return (null, "an entry name contains NUL");
        if (name.Contains('\\')) return (null, $"{name}: backslash in an entry name");
        if (name.Contains('\uFFFD')) return (null, $"{name}: entry name is not UTF-8");
        if (name.StartsWith('/')) return (null, $"{name}: absolute entry name");
        var path = name;
        while (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
        path = path.TrimEnd('/');
        if (path is "" or ".") return (null, null);
        var segments = path.Split('/');
        if (segments.Any(s => s == "..")) return (null, $"{name}: '..' in an entry name");
        if (segments.Any(s => s is "" or ".")) return (null, $"{name}: empty or '.' path segment");
        return (path, null);
    }

    private static (PluginManifest?, string?, string?, string?) ReadManifest(string yaml)
    {
        object? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<object?>(yaml);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return (null, null, null, "plugin.yaml is not valid YAML");
        }
        if (document is not Dictionary<object, object?> map) return (null, null, null, "plugin.yaml is not a YAML mapping");
        string Text(string key) => map.TryGetValue(key, out var v) && v is string s ? s : "";
        string? Optional(string key) => map.TryGetValue(key, out var v) && v is string s ? s : null;
        List<string> List(string key) => map.TryGetValue(key, out var v) && v is List<object?> items
            ? items.OfType<string>().ToList()
            : [];
        var manifest = new PluginManifest(Text("version"), Text("description"), Text("author"), List("tags"), List("runtimes"));
        return (manifest, Optional("name"), Optional("sha256"), null);
    }

    private static async Task WriteCanonicalAsync(string archive, IEnumerable<FileEntry> files, Dictionary<string, DateTimeOffset> directories, CancellationToken ct)
    {
        var entries = directories.Select(d => (Path: d.Key, File: (FileEntry?)null, Modified: d.Value))
            .Concat(files.Select(f => (Path: f.Path, File: (FileEntry?)f, Modified: f.Modified)))
            .OrderBy(e => Encoding.UTF8.GetBytes(e.Path), ByteOrder.Instance);
        await using var output = File.Create(archive);
        await using var gzip = new GZipStream(output, CompressionLevel.Optimal);
        await using var writer = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false);
        foreach (var (path, file, modified) in entries)
        {
            var type = file is null ? TarEntryType.Directory : TarEntryType.RegularFile;
            TarEntry entry = Encoding.UTF8.GetByteCount(path) <= 100 && path.All(char.IsAscii)
                ? new UstarTarEntry(type, path)
                : new PaxTarEntry(type, path);
            entry.Mode = file is null || file.Executable ? DirectoryMode : FileMode;
            entry.ModificationTime = modified;
            entry.Uid = 0;
            entry.Gid = 0;
            if (entry is PosixTarEntry posix)
            {
                posix.UserName = "";
                posix.GroupName = "";
            }
            if (file is not null)
            {
                await using var data = File.OpenRead(file.Temp);
                entry.DataStream = data;
                await writer.WriteEntryAsync(entry, ct);
            }
            else await writer.WriteEntryAsync(entry, ct);
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
