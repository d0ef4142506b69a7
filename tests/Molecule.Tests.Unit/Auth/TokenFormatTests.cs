using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Molecule.Core.Auth;

namespace Molecule.Tests.Unit.Auth;

public class TokenFormatTests
{
    private static readonly Regex ContractPattern = new("^mws_[A-Za-z0-9_-]{43}$", RegexOptions.CultureInvariant);

    [Fact]
    public void NewToken_MatchesContractPattern()
    {
        var token = TokenFormat.NewToken();

        Assert.Matches(ContractPattern, token);
    }

    [Fact]
    public void NewToken_Is47CharactersLong()
    {
        var token = TokenFormat.NewToken();

        Assert.Equal(47, token.Length);
    }

    [Fact]
    public void NewToken_EncodesExactly32BytesOfUnpaddedBase64Url()
    {
        var token = TokenFormat.NewToken();

        var base64 = token["mws_".Length..].Replace('-', '+').Replace('_', '/') + "=";
        Assert.Equal(32, Convert.FromBase64String(base64).Length);
    }

    [Fact]
    public void NewToken_ProducesDifferentTokensOnEachCall()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => TokenFormat.NewToken()).ToList();

        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void NewToken_IsWellFormed()
    {
        var token = TokenFormat.NewToken();

        Assert.True(TokenFormat.IsWellFormed(token));
    }

    [Fact]
    public void Hash_IsLowercaseHexSha256OfKnownVector()
    {
        var hash = TokenFormat.Hash("abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash);
    }

    [Fact]
    public void Hash_IsSha256OfTheFullTokenString()
    {
        var token = TokenFormat.NewToken();
        var expected = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();

        var hash = TokenFormat.Hash(token);

        Assert.Equal(expected, hash);
    }

    [Fact]
    public void Hash_Is64LowercaseHexCharacters()
    {
        var hash = TokenFormat.Hash(TokenFormat.NewToken());

        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void DisplayPrefix_IsTheFirst12Characters()
    {
        const string token = "mws_Xk2fQ9aBcdefghijklmnopqrstuvwxyzABCDEFGHIJK";

        var prefix = TokenFormat.DisplayPrefix(token);

        Assert.Equal("mws_Xk2fQ9aB", prefix);
    }

    [Fact]
    public void DisplayPrefix_OfNewTokenStartsWithScheme()
    {
        var token = TokenFormat.NewToken();

        var prefix = TokenFormat.DisplayPrefix(token);

        Assert.Equal(12, prefix.Length);
        Assert.Equal(token[..12], prefix);
    }

    [Theory]
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("mws_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]
    [InlineData("mws_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-")]
    public void IsWellFormed_AcceptsContractShapedTokens(string token)
    {
        Assert.True(TokenFormat.IsWellFormed(token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("mws_")]
    [InlineData("MWS_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // wrong prefix case
    [InlineData("mwt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // wrong prefix
    [InlineData("mws-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // wrong separator
    [InlineData("AAAAmws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // prefix not at start
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 46 chars
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 48 chars
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padding
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padded, 48 chars
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")] // standard base64 '+'
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")] // standard base64 '/'
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.")]
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ")] // trailing space
    [InlineData(" mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // leading space
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")] // trailing newline
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAé")] // non-ASCII letter
    public void IsWellFormed_RejectsMalformedTokens(string? token)
    {
        Assert.False(TokenFormat.IsWellFormed(token));
    }
}
