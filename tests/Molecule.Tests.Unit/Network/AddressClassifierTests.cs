using System.Net;
using System.Net.Sockets;
using Molecule.Core.Network;

namespace Molecule.Tests.Unit.Network;

public class AddressClassifierTests
{
    // Contract §3.5.1 "Always blocked": blocked whatever AllowPrivateAgentUrls says.
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("0.255.255.255")]
    [InlineData("169.254.0.1")]
    [InlineData("169.254.169.254")] // IMDS
    [InlineData("169.254.255.255")]
    [InlineData("168.63.129.16")] // Azure wire server
    [InlineData("100.64.0.0")]
    [InlineData("100.64.0.1")]
    [InlineData("100.100.100.200")]
    [InlineData("100.127.255.255")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.0.255")]
    [InlineData("192.0.2.1")]
    [InlineData("192.0.2.255")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("febf:ffff::1")]
    [InlineData("ff02::1")]
    [InlineData("ff00::")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:ffff:ffff::1")]
    [InlineData("64:ff9b::1.2.3.4")]
    [InlineData("64:ff9b::808:808")] // NAT64 of a public address is still blocked
    [InlineData("100::1")]
    [InlineData("100::ffff:ffff:ffff:ffff")]
    [InlineData("::ffff:169.254.169.254")] // IPv4-mapped
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("::ffff:168.63.129.16")]
    [InlineData("::ffff:100.64.0.1")]
    [InlineData("::a9fe:a9fe")] // IPv4-compatible 169.254.169.254
    [InlineData("::2")] // IPv4-compatible 0.0.0.2
    public void IsBlocked_AlwaysBlockedRangesAreBlockedEvenWhenPrivateAllowed(string text)
    {
        var address = IPAddress.Parse(text);

        var blockedStrict = AddressClassifier.IsBlocked(address, allowPrivate: false);
        var blockedPermissive = AddressClassifier.IsBlocked(address, allowPrivate: true);

        Assert.True(blockedStrict, $"{text} should be blocked with allowPrivate=false");
        Assert.True(blockedPermissive, $"{text} should be blocked with allowPrivate=true");
    }

    // Contract §3.5.1 "Blocked unless AllowPrivateAgentUrls".
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.255")]
    [InlineData("127.1.2.3")]
    [InlineData("::1")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.20.10.10")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("192.168.255.255")]
    [InlineData("fc00::1")]
    [InlineData("fd12::1")]
    [InlineData("fdff:ffff:ffff::1")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped loopback
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:192.168.1.1")]
    [InlineData("::7f00:1")] // IPv4-compatible 127.0.0.1
    [InlineData("::127.0.0.1")]
    [InlineData("::c0a8:101")] // IPv4-compatible 192.168.1.1
    public void IsBlocked_PrivateRangesAreBlockedWhenPrivateNotAllowed(string text)
    {
        var address = IPAddress.Parse(text);

        var blocked = AddressClassifier.IsBlocked(address, allowPrivate: false);

        Assert.True(blocked);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.255")]
    [InlineData("::1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("fc00::1")]
    [InlineData("fd12::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::7f00:1")]
    public void IsBlocked_PrivateRangesAreAllowedWhenPrivateAllowed(string text)
    {
        var address = IPAddress.Parse(text);

        var blocked = AddressClassifier.IsBlocked(address, allowPrivate: true);

        Assert.False(blocked);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")] // IPv4-mapped public
    [InlineData("::808:808")] // IPv4-compatible 8.8.8.8
    [InlineData("1.0.0.0")] // just above 0.0.0.0/8
    [InlineData("9.255.255.255")] // just below 10/8
    [InlineData("11.0.0.0")] // just above 10/8
    [InlineData("100.63.255.255")] // just below 100.64/10
    [InlineData("100.128.0.1")] // just above 100.64/10
    [InlineData("126.255.255.255")] // just below 127/8
    [InlineData("128.0.0.0")] // just above 127/8
    [InlineData("168.63.129.15")]
    [InlineData("168.63.129.17")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")] // just below 172.16/12
    [InlineData("172.32.0.0")] // just above 172.16/12
    [InlineData("192.0.1.1")]
    [InlineData("192.0.3.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("198.51.99.255")]
    [InlineData("203.0.112.255")]
    [InlineData("223.255.255.255")] // just below 224/4
    [InlineData("2001:db9::1")] // just above 2001:db8::/32
    [InlineData("100:0:0:1::1")] // outside 100::/64
    [InlineData("fbff:ffff::1")] // just below fc00::/7
    [InlineData("fe00::1")] // between fc00::/7 and fe80::/10
    public void IsBlocked_PublicAddressesAreAllowed(string text)
    {
        var address = IPAddress.Parse(text);

        var blockedStrict = AddressClassifier.IsBlocked(address, allowPrivate: false);
        var blockedPermissive = AddressClassifier.IsBlocked(address, allowPrivate: true);

        Assert.False(blockedStrict, $"{text} should be allowed with allowPrivate=false");
        Assert.False(blockedPermissive, $"{text} should be allowed with allowPrivate=true");
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1")]
    [InlineData("::ffff:169.254.169.254", "169.254.169.254")]
    [InlineData("::ffff:8.8.8.8", "8.8.8.8")]
    [InlineData("::7f00:1", "127.0.0.1")]
    [InlineData("::808:808", "8.8.8.8")]
    [InlineData("::a9fe:a9fe", "169.254.169.254")]
    public void Normalize_MapsIPv4MappedAndCompatibleToIPv4(string input, string expected)
    {
        var normalized = AddressClassifier.Normalize(IPAddress.Parse(input));

        Assert.Equal(AddressFamily.InterNetwork, normalized.AddressFamily);
        Assert.Equal(IPAddress.Parse(expected), normalized);
    }

    [Theory]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("fe80::1")]
    [InlineData("64:ff9b::1.2.3.4")]
    public void Normalize_LeavesOtherIPv6Unchanged(string input)
    {
        var address = IPAddress.Parse(input);

        var normalized = AddressClassifier.Normalize(address);

        Assert.Equal(address, normalized);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("127.0.0.1")]
    public void Normalize_LeavesIPv4Unchanged(string input)
    {
        var address = IPAddress.Parse(input);

        var normalized = AddressClassifier.Normalize(address);

        Assert.Equal(address, normalized);
    }
}
