using System.Net;
using System.Net.Sockets;

namespace Molecule.Core.Network;

/// <summary>
/// Decides whether an agent address may be dialled (contract §3.5.1). Works on parsed addresses only;
/// IPv4-mapped and IPv4-compatible IPv6 addresses are judged by their IPv4 address.
/// </summary>
public static class AddressClassifier
{
    private static readonly (IPAddress Network, int Bits)[] AlwaysBlocked = Parse(
        "0.0.0.0/8", "169.254.0.0/16", "168.63.129.16/32", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "fe80::/10", "ff00::/8", "2001:db8::/32", "64:ff9b::/96", "100::/64");

    private static readonly (IPAddress Network, int Bits)[] PrivateRanges = Parse(
        "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");

    public static bool IsBlocked(IPAddress address, bool allowPrivate)
    {
        address = Normalize(address);
        if (AlwaysBlocked.Any(r => InRange(address, r))) return true;
        return !allowPrivate && PrivateRanges.Any(r => InRange(address, r));
    }

    /// <summary>Maps ::ffff:a.b.c.d and ::a.b.c.d (IPv4-compatible) to a.b.c.d.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        var compatible = bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        // ::/128 and ::1 stay IPv6 (unspecified and loopback); every other ::a.b.c.d is IPv4-compatible.
        if (compatible && !(bytes.AsSpan(12).IndexOfAnyExcept((byte)0) < 0) && !address.Equals(IPAddress.IPv6Loopback))
            return new IPAddress(bytes.AsSpan(12).ToArray());
        return address;
    }

    private static bool InRange(IPAddress address, (IPAddress Network, int Bits) range)
    {
        if (address.AddressFamily != range.Network.AddressFamily) return false;
        var a = address.GetAddressBytes();
        var n = range.Network.GetAddressBytes();
        var bits = range.Bits;
        for (var i = 0; bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }

    private static (IPAddress, int)[] Parse(params string[] cidrs) =>
        cidrs.Select(c => c.Split('/')).Select(p => (IPAddress.Parse(p[0]), int.Parse(p[1]))).ToArray();
}
