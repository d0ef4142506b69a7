using System.Net;
using System.Net.Sockets;
using Molecule.Core.Network;

namespace Molecule.Tests.Unit.Network;

public class AgentUrlPolicySyntaxTests
{
    [Fact]
    public void CheckSyntax_RemoteNoInboundIsAcceptedAsRemote()
    {
        var error = AgentUrlPolicy.CheckSyntax("remote://no-inbound", out var kind);

        Assert.Null(error);
        Assert.Equal(AgentUrlKind.Remote, kind);
    }

    [Fact]
    public void CheckSyntax_RemoteWithAnyRestIsAcceptedAsRemote()
    {
        var error = AgentUrlPolicy.CheckSyntax("remote://anything/at all?x=1", out var kind);

        Assert.Null(error);
        Assert.Equal(AgentUrlKind.Remote, kind);
    }

    [Theory]
    [InlineData("https://agent.example.com/a2a")]
    [InlineData("http://agent.example.com:8080/")]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://[::1]/")]
    public void CheckSyntax_HttpAndHttpsAreAcceptedAsDialable(string url)
    {
        var error = AgentUrlPolicy.CheckSyntax(url, out var kind);

        Assert.Null(error);
        Assert.Equal(AgentUrlKind.Dialable, kind);
    }

    [Theory]
    [InlineData("ftp://x")]
    [InlineData("ftp://agent.example.com/a2a")]
    [InlineData("ws://agent.example.com/")]
    [InlineData("gopher://agent.example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    public void CheckSyntax_OtherSchemesAreRejectedWithSchemeError(string url)
    {
        var error = AgentUrlPolicy.CheckSyntax(url, out _);

        Assert.Equal("url: scheme must be http, https or remote", error);
    }

    [Theory]
    [InlineData("agent/a2a")]
    [InlineData("/agent/a2a")]
    [InlineData("//agent.example.com/a2a")]
    [InlineData("agent.example.com")]
    [InlineData("")]
    public void CheckSyntax_RelativeUrlIsRejected(string url)
    {
        var error = AgentUrlPolicy.CheckSyntax(url, out _);

        Assert.NotNull(error);
        Assert.StartsWith("url: ", error);
    }

    [Theory]
    [InlineData("https://user:pass@host/")]
    [InlineData("https://user@agent.example.com/")]
    [InlineData("http://:pass@agent.example.com/")]
    [InlineData("http://user:pass@127.0.0.1/")]
    public void CheckSyntax_UserInfoIsRejected(string url)
    {
        var error = AgentUrlPolicy.CheckSyntax(url, out _);

        Assert.NotNull(error);
        Assert.StartsWith("url: ", error);
    }

    [Fact]
    public void CheckSyntax_UrlOf2049CharactersIsRejected()
    {
        var url = Pad("https://agent.example.com/", 2049);

        var error = AgentUrlPolicy.CheckSyntax(url, out _);

        Assert.NotNull(error);
        Assert.StartsWith("url: ", error);
    }

    [Fact]
    public void CheckSyntax_RemoteUrlOf2049CharactersIsRejected()
    {
        var url = Pad("remote://", 2049);

        var error = AgentUrlPolicy.CheckSyntax(url, out _);

        Assert.NotNull(error);
    }

    [Fact]
    public void CheckSyntax_UrlOfExactly2048CharactersIsAccepted()
    {
        var url = Pad("https://agent.example.com/", 2048);

        var error = AgentUrlPolicy.CheckSyntax(url, out var kind);

        Assert.Null(error);
        Assert.Equal(AgentUrlKind.Dialable, kind);
    }

    private static string Pad(string prefix, int length) => prefix + new string('a', length - prefix.Length);
}

public class AgentUrlPolicyAddressTests
{
    /// <summary>A resolver with fixed answers; unknown names fail like DNS does. Records every lookup.</summary>
    private sealed class FakeResolver(Dictionary<string, IPAddress[]> answers, IPAddress[]? everyOtherName = null)
    {
        public List<string> Lookups { get; } = [];

        public Task<IPAddress[]> Resolve(string host, CancellationToken cancellationToken)
        {
            Lookups.Add(host);
            if (answers.TryGetValue(host, out var addresses)) return Task.FromResult(addresses);
            if (everyOtherName is not null) return Task.FromResult(everyOtherName);
            throw new SocketException((int)SocketError.HostNotFound);
        }
    }

    private static (AgentUrlPolicy Policy, FakeResolver Resolver) Policy(params (string Host, string[] Addresses)[] answers)
    {
        var resolver = new FakeResolver(answers.ToDictionary(a => a.Host, a => a.Addresses.Select(IPAddress.Parse).ToArray()));
        return (new AgentUrlPolicy(resolver.Resolve), resolver);
    }

    /// <summary>A resolver that answers a public address for every name.</summary>
    private static (AgentUrlPolicy Policy, FakeResolver Resolver) PolicyResolvingEverythingPublic()
    {
        var resolver = new FakeResolver([], [IPAddress.Parse("93.184.216.34")]);
        return (new AgentUrlPolicy(resolver.Resolve), resolver);
    }

    [Fact]
    public async Task IsRoutable_NameResolvingToPublicAddressPasses()
    {
        var (policy, _) = Policy(("agent.example.com", ["93.184.216.34"]));

        var routable = await policy.IsRoutableAsync("https://agent.example.com/a2a", allowPrivate: false, CancellationToken.None);

        Assert.True(routable);
    }

    [Fact]
    public async Task IsRoutable_ResolvesTheUrlHost()
    {
        var (policy, resolver) = Policy(("agent.example.com", ["93.184.216.34"]));

        await policy.IsRoutableAsync("https://agent.example.com:8443/a2a", allowPrivate: false, CancellationToken.None);

        Assert.Equal(["agent.example.com"], resolver.Lookups);
    }

    [Fact]
    public async Task IsRoutable_NameResolvingToSeveralPublicAddressesPasses()
    {
        var (policy, _) = Policy(("agent.example.com", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]));

        var routable = await policy.IsRoutableAsync("https://agent.example.com/", allowPrivate: false, CancellationToken.None);

        Assert.True(routable);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.5")]
    [InlineData("169.254.169.254")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task IsRoutable_NameWithAnyBlockedAddressAmongSeveralFails(string blocked)
    {
        var (policy, _) = Policy(("agent.example.com", ["93.184.216.34", blocked, "8.8.8.8"]));

        var routable = await policy.IsRoutableAsync("https://agent.example.com/", allowPrivate: false, CancellationToken.None);

        Assert.False(routable);
    }

    [Fact]
    public async Task IsRoutable_NameResolvingToPrivateAddressPassesWhenPrivateAllowed()
    {
        var (policy, _) = Policy(("agent.internal", ["10.0.0.5"]));

        var routable = await policy.IsRoutableAsync("http://agent.internal/", allowPrivate: true, CancellationToken.None);

        Assert.True(routable);
    }

    [Fact]
    public async Task IsRoutable_NameResolvingToAlwaysBlockedAddressFailsEvenWhenPrivateAllowed()
    {
        var (policy, _) = Policy(("metadata.example.com", ["169.254.169.254"]));

        var routable = await policy.IsRoutableAsync("http://metadata.example.com/", allowPrivate: true, CancellationToken.None);

        Assert.False(routable);
    }

    [Fact]
    public async Task IsRoutable_ResolverThrowingSocketExceptionFails()
    {
        var (policy, _) = Policy();

        var routable = await policy.IsRoutableAsync("https://nowhere.example.com/", allowPrivate: false, CancellationToken.None);

        Assert.False(routable);
    }

    [Fact]
    public async Task IsRoutable_NameResolvingToNoAddressesFails()
    {
        var (policy, _) = Policy(("empty.example.com", []));

        var routable = await policy.IsRoutableAsync("https://empty.example.com/", allowPrivate: false, CancellationToken.None);

        Assert.False(routable);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://localhost/")]
    [InlineData("http://localhost:8080/a2a")]
    [InlineData("http://LOCALHOST/")]
    [InlineData("http://10.1.2.3/")]
    [InlineData("http://172.16.0.1/")]
    [InlineData("http://192.168.1.10:9000/")]
    [InlineData("http://[fd12::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    public async Task IsRoutable_PrivateHostIsBlockedWhenPrivateNotAllowed(string url)
    {
        var (policy, _) = PolicyResolvingEverythingPublic();

        var routable = await policy.IsRoutableAsync(url, allowPrivate: false, CancellationToken.None);

        Assert.False(routable);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://localhost/")]
    [InlineData("http://localhost:8080/a2a")]
    [InlineData("http://10.1.2.3/")]
    [InlineData("http://[fd12::1]/")]
    public async Task IsRoutable_PrivateHostIsAllowedWhenPrivateAllowed(string url)
    {
        var (policy, _) = Policy(("localhost", ["127.0.0.1"]));

        var routable = await policy.IsRoutableAsync(url, allowPrivate: true, CancellationToken.None);

        Assert.True(routable);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    public async Task IsRoutable_IpLiteralIsJudgedWithoutDns(string url)
    {
        var (policy, resolver) = Policy();

        await policy.IsRoutableAsync(url, allowPrivate: false, CancellationToken.None);

        Assert.Empty(resolver.Lookups);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://168.63.129.16/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://0.0.0.0/")]
    public async Task IsRoutable_AlwaysBlockedLiteralIsBlockedEvenWhenPrivateAllowed(string url)
    {
        var (policy, _) = Policy();

        var routable = await policy.IsRoutableAsync(url, allowPrivate: true, CancellationToken.None);

        Assert.False(routable);
    }

    [Theory]
    [InlineData("http://8.8.8.8/")]
    [InlineData("https://[2606:4700:4700::1111]/a2a")]
    public async Task IsRoutable_PublicLiteralPasses(string url)
    {
        var (policy, _) = Policy();

        var routable = await policy.IsRoutableAsync(url, allowPrivate: false, CancellationToken.None);

        Assert.True(routable);
    }

    // Alternative spellings of 127.0.0.1. The fake resolver answers a PUBLIC address for every one of
    // these names, so the check only passes if the policy judges the address the spelling denotes.
    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    public async Task IsRoutable_NumericSpellingsOfLoopbackAreBlocked(string url)
    {
        var (policy, _) = PolicyResolvingEverythingPublic();

        var routable = await policy.IsRoutableAsync(url, allowPrivate: false, CancellationToken.None);

        Assert.False(routable);
    }

    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    public async Task IsRoutable_NumericSpellingsOfLoopbackAreAllowedWhenPrivateAllowed(string url)
    {
        // Resolver fails for every name: passing proves the spelling was recognised as 127.0.0.1.
        var (policy, _) = Policy();

        var routable = await policy.IsRoutableAsync(url, allowPrivate: true, CancellationToken.None);

        Assert.True(routable);
    }

    [Fact]
    public async Task ValidateForStorage_RemoteUrlPassesWithoutAddressCheck()
    {
        var (policy, resolver) = Policy();

        var error = await policy.ValidateForStorageAsync("remote://no-inbound", allowPrivate: false, CancellationToken.None);

        Assert.Null(error);
        Assert.Empty(resolver.Lookups);
    }

    [Fact]
    public async Task ValidateForStorage_PublicNamePasses()
    {
        var (policy, _) = Policy(("agent.example.com", ["93.184.216.34"]));

        var error = await policy.ValidateForStorageAsync("https://agent.example.com/a2a", allowPrivate: false, CancellationToken.None);

        Assert.Null(error);
    }

    [Fact]
    public async Task ValidateForStorage_NameWithOneBlockedAddressFailsWithAddressError()
    {
        var (policy, _) = Policy(("agent.example.com", ["93.184.216.34", "10.0.0.1"]));

        var error = await policy.ValidateForStorageAsync("https://agent.example.com/a2a", allowPrivate: false, CancellationToken.None);

        Assert.Equal("url: host is not publicly routable", error);
    }

    [Fact]
    public async Task ValidateForStorage_ResolutionFailureFailsWithAddressError()
    {
        var (policy, _) = Policy();

        var error = await policy.ValidateForStorageAsync("https://nowhere.example.com/", allowPrivate: false, CancellationToken.None);

        Assert.Equal("url: host is not publicly routable", error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://localhost:8000/")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    public async Task ValidateForStorage_LoopbackFailsWithAddressErrorWhenPrivateNotAllowed(string url)
    {
        var (policy, _) = PolicyResolvingEverythingPublic();

        var error = await policy.ValidateForStorageAsync(url, allowPrivate: false, CancellationToken.None);

        Assert.Equal("url: host is not publicly routable", error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://localhost:8000/")]
    public async Task ValidateForStorage_LoopbackPassesWhenPrivateAllowed(string url)
    {
        var (policy, _) = Policy(("localhost", ["127.0.0.1"]));

        var error = await policy.ValidateForStorageAsync(url, allowPrivate: true, CancellationToken.None);

        Assert.Null(error);
    }

    [Fact]
    public async Task ValidateForStorage_BadSchemeFailsWithSchemeErrorBeforeAnyLookup()
    {
        var (policy, resolver) = Policy();

        var error = await policy.ValidateForStorageAsync("ftp://x", allowPrivate: false, CancellationToken.None);

        Assert.Equal("url: scheme must be http, https or remote", error);
        Assert.Empty(resolver.Lookups);
    }

    [Fact]
    public async Task ValidateForStorage_UserInfoIsRejected()
    {
        var (policy, _) = Policy(("host", ["93.184.216.34"]));

        var error = await policy.ValidateForStorageAsync("https://user:pass@host/", allowPrivate: false, CancellationToken.None);

        Assert.NotNull(error);
    }
}
