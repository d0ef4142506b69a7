using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Molecule.LocalHost;

/// <summary>
/// The real Azure Storage emulator (installed by ./run and ./test into tools/azurite), started on free
/// loopback ports with in-memory persistence — for tests and benchmarks, which must never collide with a
/// running ./run (10000–10002).
/// </summary>
public sealed class AzuriteProcess : IDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<AzuriteProcess> shared = new(() => Start());

    private readonly Process process;

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        $"AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>One emulator for the whole test run, stopped when the test process exits.</summary>
    public static AzuriteProcess Shared => shared.Value;

    private AzuriteProcess(Process process, int blob, int queue, int table)
    {
        this.process = process;
        BlobPort = blob;
        QueuePort = queue;
        TablePort = table;
    }

    public static AzuriteProcess Start()
    {
        var script = Path.Combine(RepositoryRoot.Path, "tools", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
            throw new InvalidOperationException($"Azurite is not installed at {script}; run ./test (it runs npm ci in tools/azurite).");
        for (var attempt = 0; ; attempt++)
        {
            var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
            var info = new ProcessStartInfo("node")
            {
                ArgumentList =
                {
                    script, "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl",
                    "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
                    "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
                    "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var azurite = new AzuriteProcess(process, blob, queue, table);
            if (azurite.WaitUntilListening(TimeSpan.FromSeconds(30)))
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.Dispose();
                return azurite;
            }
            azurite.Dispose();
            if (attempt >= 2) throw new InvalidOperationException("Azurite did not start");
        }
    }

    private bool WaitUntilListening(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (new[] { BlobPort, QueuePort, TablePort }.All(IsListening)) return true;
            Thread.Sleep(100);
        }
        return false;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
