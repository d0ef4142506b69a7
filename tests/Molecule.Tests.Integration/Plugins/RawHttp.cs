using System.Net.Sockets;
using System.Text;

namespace Molecule.Tests.Integration.Plugins;

/// <summary>
/// A minimal HTTP/1.1 client for oversized uploads: the response is read concurrently with the body, so an early
/// answer (413 before the body is consumed) is seen even when the server then closes the connection.
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, string Body)> PutZerosAsync(Uri baseAddress, string path, string authorization, long length, bool chunked)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append($"PUT {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nAuthorization: {authorization}\r\nContent-Type: application/gzip\r\n")
            .Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {length}\r\n")
            .Append("\r\n").ToString();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            var prefix = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
            try
            {
                for (long sent = 0; sent < length && !stop.IsCancellationRequested;)
                {
                    var n = (int)Math.Min(chunk.Length, length - sent);
                    if (chunked) await stream.WriteAsync(n == chunk.Length ? prefix : Encoding.ASCII.GetBytes($"{n:x}\r\n"), stop.Token);
                    await stream.WriteAsync(chunk.AsMemory(0, n), stop.Token);
                    if (chunked) await stream.WriteAsync("\r\n"u8.ToArray(), stop.Token);
                    sent += n;
                }
                if (chunked) await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // the server answered and closed: expected for a refused upload
            }
        });

        var response = await ReadResponseAsync(stream).WaitAsync(TimeSpan.FromSeconds(60));
        stop.Cancel();
        tcp.Close();
        await writer;
        return response;
    }

    private static async Task<(int Status, string Body)> ReadResponseAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        int headerEnd = -1;
        int? contentLength = null;
        while (true)
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0) break;
            received.AddRange(buffer.AsSpan(0, n));
            if (headerEnd < 0)
            {
                var text = Encoding.ASCII.GetString(received.ToArray());
                headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd >= 0)
                {
                    foreach (var line in text[..headerEnd].Split("\r\n"))
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                            contentLength = int.Parse(line["Content-Length:".Length..].Trim());
                }
            }
            if (headerEnd >= 0 && contentLength is { } length && received.Count >= headerEnd + 4 + length) break;
        }
        var all = received.ToArray();
        var statusLine = Encoding.ASCII.GetString(all).Split("\r\n")[0];
        var status = int.Parse(statusLine.Split(' ')[1]);
        var body = headerEnd < 0 ? "" : Encoding.UTF8.GetString(all, headerEnd + 4, contentLength ?? all.Length - headerEnd - 4);
        return (status, body);
    }
}
