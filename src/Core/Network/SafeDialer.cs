using System.Net;
using System.Net.Sockets;

namespace Molecule.Core.Network;

/// <summary>The connect step refused a blocked address (§3.5.1); the proxy answers 502 "not publicly routable".</summary>
public sealed class BlockedAddressException() : Exception("the agent's address is not publicly routable");

/// <summary>
/// The one HttpClient that dials agents. Its connect step resolves the host itself, refuses the call if ANY
/// resolved address is blocked, and connects to an address it checked — so a DNS answer that changes between
/// the registration check and the dial (rebinding) cannot reach a private or metadata address. No proxy, no
/// cookies, no redirects.
/// </summary>
public sealed class SafeDialer : IDisposable
{
    public HttpClient Client { get; }

    public SafeDialer(bool allowPrivate, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        resolve ??= Dns.GetHostAddressesAsync;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ConnectCallback = async (context, ct) =>
            {
                var host = context.DnsEndPoint.Host.Trim('[', ']');
                IPAddress[] addresses;
                if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
                else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
                    addresses = allowPrivate ? [IPAddress.Loopback] : throw new BlockedAddressException();
                else addresses = await resolve(host, ct);
                if (addresses.Length == 0 || addresses.Any(a => AddressClassifier.IsBlocked(a, allowPrivate)))
                    throw new BlockedAddressException();
                Exception? last = null;
                foreach (var address in addresses)
                {
                    var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch (Exception e) when (e is SocketException)
                    {
                        socket.Dispose();
                        last = e;
                    }
                }
                throw last ?? new SocketException((int)SocketError.HostUnreachable);
            },
        };
        Client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose() => Client.Dispose();
}
