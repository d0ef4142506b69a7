using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Molecule.Tests.Integration.Plugins;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PluginStreamingCollection
{
    public const string Name = "plugin streaming (alone: measures this process's memory)";
}

/// <summary>
/// A ~49 MiB incompressible plugin uploaded and downloaded: the download is streamed (managed memory of this
/// process — test client and in-process platform — grows far less than the archive) and hash-matches the stored
/// blob. Throughput through the platform and straight from Azurite is reported, never asserted.
/// Writes artifacts/plugin-figures.json at the repository root.
/// </summary>
[Collection(PluginStreamingCollection.Name)]
public sealed class PluginStreamingFigures(ITestOutputHelper output)
{
    private const int Chunk = 64 * 1024;
    private const long Payload = 49L * 1024 * 1024;
    private const int Repetitions = 3;
    private const long MaxGrowth = 16L * 1024 * 1024;
    private const double MiB = 1024 * 1024;

    private sealed record Run(long Bytes, string Sha256, double Seconds)
    {
        public double MiBps => Bytes / MiB / Seconds;
    }

    private sealed class Memory
    {
        public long Baseline;
        public long PeakManaged;
        public long PeakLive;
        public long PrivateBaseline;
        public long PeakPrivate;
        public int Samples;
        public int LiveSamples;
    }

    [Fact]
    public async Task A_49_MiB_plugin_downloads_streamed_and_hash_matches_the_stored_blob()
    {
        // Kestrel's own request body limit (30,000,000 bytes by default) is raised to the contract's 50 MiB cap here so the
        // download of a ~49 MiB plugin can be measured; the default configuration's refusal of such uploads is asserted
        // (and fails) in PluginUploadValidationTests.A_valid_upload_of_40_MiB_is_accepted.
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "1000000" },
            services: s => s.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 50L * 1024 * 1024));
        var name = PluginsApi.UniqueName("big");
        var work = Directory.CreateTempSubdirectory("plugin-figures-");
        try
        {
            var (archivePath, payloadSha) = await WriteArchiveAsync(work.FullName, name);
            var archiveBytes = new FileInfo(archivePath).Length;
            Assert.InRange(archiveBytes, 48L * 1024 * 1024, 50L * 1024 * 1024);

            var uploadWatch = Stopwatch.StartNew();
            RawResponse upload;
            await using (var file = File.OpenRead(archivePath))
            {
                var content = new StreamContent(file, Chunk);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
                upload = await platform.PutLargeAsync(name, content);
            }
            uploadWatch.Stop();
            Assert.True(upload.Status == 201, $"upload answered {upload.Status}: {upload.Api.Text}");
            var stored = upload.Api.Object["bytes"]!.GetValue<long>();

            var blob = new BlobClient(AzuriteProcess.Shared.ConnectionString, "plugins", name + ".tar.gz");

            // Memory run: forced-collection baseline, then cheap samples every chunk and live samples every 8 MiB.
            var memory = new Memory();
            var memoryRun = await PlatformDownloadAsync(platform, name, memory);
            var blobRuns = new List<Run>();
            var platformRuns = new List<Run>();
            for (var i = 0; i < Repetitions; i++)
            {
                blobRuns.Add(await BlobDownloadAsync(blob));
                platformRuns.Add(await PlatformDownloadAsync(platform, name, null));
            }
            var storedSha = blobRuns[0].Sha256;
            var payloadInStoredArchive = await PayloadShaAsync(blob);

            double Median(IEnumerable<double> values)
            {
                var v = values.Order().ToList();
                return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
            }
            var platformMedian = Median(platformRuns.Select(r => r.MiBps));
            var blobMedian = Median(blobRuns.Select(r => r.MiBps));
            var figures = new JsonObject
            {
                ["measured_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["archive_bytes"] = stored,
                ["payload_bytes"] = Payload,
                ["read_chunk_bytes"] = Chunk,
                ["upload"] = new JsonObject
                {
                    ["seconds"] = Math.Round(uploadWatch.Elapsed.TotalSeconds, 3),
                    ["mib_per_s"] = Math.Round(archiveBytes / MiB / uploadWatch.Elapsed.TotalSeconds, 1),
                    ["note"] = "includes validation (spool, hash, rebuild) and the blob upload",
                },
                ["download_throughput_mib_per_s"] = new JsonObject
                {
                    ["repetitions"] = Repetitions,
                    ["platform_median"] = Math.Round(platformMedian, 1),
                    ["blob_direct_median"] = Math.Round(blobMedian, 1),
                    ["ratio_platform_to_blob"] = Math.Round(platformMedian / blobMedian, 3),
                    ["platform_runs"] = new JsonArray(platformRuns.Select(r => (JsonNode)Math.Round(r.MiBps, 1)).ToArray()),
                    ["blob_direct_runs"] = new JsonArray(blobRuns.Select(r => (JsonNode)Math.Round(r.MiBps, 1)).ToArray()),
                    ["memory_run_platform_mib_per_s"] = Math.Round(memoryRun.MiBps, 1),
                },
                ["platform_download_memory"] = new JsonObject
                {
                    ["baseline_managed_bytes"] = memory.Baseline,
                    ["peak_managed_growth_bytes"] = memory.PeakManaged - memory.Baseline,
                    ["peak_live_managed_growth_bytes"] = memory.PeakLive - memory.Baseline,
                    ["peak_private_growth_bytes"] = memory.PeakPrivate - memory.PrivateBaseline,
                    ["samples"] = memory.Samples,
                    ["live_samples"] = memory.LiveSamples,
                    ["note"] = "managed = GC.GetTotalMemory(false) every 64 KiB chunk (includes uncollected garbage); live = GC.GetTotalMemory(true) " +
                               "every 8 MiB; private = Process.PrivateMemorySize64 every 1 MiB; baseline = GC.GetTotalMemory(true) before the request. " +
                               "The platform runs in this process, so its server side is included.",
                },
                ["environment"] = new JsonObject
                {
                    ["processors"] = Environment.ProcessorCount,
                    ["server_gc"] = System.Runtime.GCSettings.IsServerGC,
                    ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                    ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                    ["note"] = "LocalHost on loopback HTTP in the test process, storage = Azurite (shared); platform = GET /plugins/:name/download " +
                               "as admin, blob direct = BlobClient.DownloadStreamingAsync; both read in 64 KiB chunks and hashed",
                },
            };
            var text = figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            var directory = Path.Combine(RepositoryRoot.Path, "artifacts");
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "plugin-figures.json"), text + "\n");
            output.WriteLine(text);

            Assert.Equal(stored, memoryRun.Bytes);
            Assert.All(platformRuns.Concat(blobRuns), r => Assert.Equal(stored, r.Bytes));
            Assert.All(platformRuns.Append(memoryRun), r => Assert.Equal(storedSha, r.Sha256));
            Assert.Equal(payloadSha, payloadInStoredArchive);
            Assert.True(memory.PeakManaged - memory.Baseline < MaxGrowth,
                $"managed memory grew by {memory.PeakManaged - memory.Baseline} bytes while downloading {stored} bytes");
        }
        finally
        {
            work.Delete(recursive: true);
            await platform.SendRawAsync(HttpMethod.Delete, "/plugins/" + name, authorization: "Bearer " + platform.AdminToken);
        }
    }

    /// <summary>plugin.yaml + a random payload generated in 1 MiB chunks, tarred and gzipped file to file.</summary>
    private static async Task<(string Archive, string PayloadSha)> WriteArchiveAsync(string work, string name)
    {
        var payloadPath = Path.Combine(work, "payload.bin");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var payload = File.Create(payloadPath))
        {
            var buffer = new byte[1024 * 1024];
            for (long written = 0; written < Payload; written += buffer.Length)
            {
                RandomNumberGenerator.Fill(buffer);
                hash.AppendData(buffer);
                await payload.WriteAsync(buffer);
            }
        }
        var archivePath = Path.Combine(work, name + ".tar.gz");
        await using (var output = File.Create(archivePath))
        await using (var gzip = new GZipStream(output, CompressionLevel.NoCompression))
        await using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "plugin.yaml")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(PluginsApi.Manifest(name))), Mode = PluginsApi.Mode644,
            });
            await using var data = File.OpenRead(payloadPath);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "payload.bin") { DataStream = data, Mode = PluginsApi.Mode644 });
        }
        File.Delete(payloadPath);
        return (archivePath, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<Run> PlatformDownloadAsync(TestPlatform platform, string name, Memory? memory)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/plugins/{name}/download");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + platform.AdminToken);
        if (memory is not null)
        {
            memory.Baseline = memory.PeakManaged = memory.PeakLive = GC.GetTotalMemory(forceFullCollection: true);
            using var process = Process.GetCurrentProcess();
            memory.PrivateBaseline = memory.PeakPrivate = process.PrivateMemorySize64;
        }
        var watch = Stopwatch.StartNew();
        using var response = await platform.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var run = await ReadAsync(body, watch, memory);
        return run;
    }

    private static async Task<Run> BlobDownloadAsync(BlobClient blob)
    {
        var watch = Stopwatch.StartNew();
        var download = (await blob.DownloadStreamingAsync()).Value;
        await using var body = download.Content;
        return await ReadAsync(body, watch, null);
    }

    private static async Task<Run> ReadAsync(Stream body, Stopwatch watch, Memory? memory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Chunk];
        long total = 0;
        long chunks = 0;
        int read;
        using var process = Process.GetCurrentProcess();
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
            chunks++;
            if (memory is null) continue;
            memory.PeakManaged = Math.Max(memory.PeakManaged, GC.GetTotalMemory(false));
            memory.Samples++;
            if (chunks % 16 == 0)
            {
                process.Refresh();
                memory.PeakPrivate = Math.Max(memory.PeakPrivate, process.PrivateMemorySize64);
            }
            if (chunks % 128 == 0)
            {
                memory.PeakLive = Math.Max(memory.PeakLive, GC.GetTotalMemory(forceFullCollection: true));
                memory.LiveSamples++;
            }
        }
        watch.Stop();
        return new Run(total, Convert.ToHexStringLower(hash.GetHashAndReset()), watch.Elapsed.TotalSeconds);
    }

    /// <summary>The SHA-256 of payload.bin inside the stored canonical archive, streamed (never buffered).</summary>
    private static async Task<string> PayloadShaAsync(BlobClient blob)
    {
        var download = (await blob.DownloadStreamingAsync()).Value;
        await using var body = download.Content;
        await using var gzip = new GZipStream(body, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name != "payload.bin") continue;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[Chunk];
            int read;
            while ((read = await entry.DataStream!.ReadAsync(buffer)) > 0) hash.AppendData(buffer, 0, read);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        return "payload.bin missing";
    }
}
