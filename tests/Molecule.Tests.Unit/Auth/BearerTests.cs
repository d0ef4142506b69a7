using Microsoft.Extensions.Options;
using Molecule.Core.Auth;

namespace Molecule.Tests.Unit.Auth;

public class BearerCredentialTests
{
    [Theory]
    [InlineData("Bearer x", "x")]
    [InlineData("bearer x", "x")]
    [InlineData("BEARER x", "x")]
    [InlineData("BeArEr x", "x")]
    [InlineData("Bearer mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Credential_ReturnsValueAfterCaseInsensitiveBearerScheme(string header, string expected)
    {
        var credential = Bearer.Credential(header);

        Assert.Equal(expected, credential);
    }

    [Theory]
    [InlineData("Bearer   x", "x")]
    [InlineData("Bearer x   ", "x")]
    [InlineData("Bearer \t x \t", "x")]
    [InlineData("Bearer  secret-value  ", "secret-value")]
    public void Credential_TrimsTheCredential(string header, string expected)
    {
        var credential = Bearer.Credential(header);

        Assert.Equal(expected, credential);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("bearer \t ")]
    public void Credential_EmptyCredentialIsNoCredential(string header)
    {
        var credential = Bearer.Credential(header);

        Assert.Null(credential);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearerx")]
    [InlineData("Basic x")]
    [InlineData("Token x")]
    [InlineData("x")]
    [InlineData("mws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Credential_OtherShapesAreNoCredential(string? header)
    {
        var credential = Bearer.Credential(header);

        Assert.Null(credential);
    }
}

public class BearerClassifierTests
{
    private const string AdminToken = "admin-secret-0123456789";
    private const string WorkspaceToken = "mws_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    private static BearerClassifier Classifier(string? adminToken) =>
        new(Options.Create(new AuthOptions { AdminToken = adminToken }));

    [Fact]
    public void Classify_AdminTokenIsAdmin()
    {
        var classifier = Classifier(AdminToken);

        var bearer = classifier.Classify("Bearer " + AdminToken);

        Assert.Equal(CredentialKind.Admin, bearer.Kind);
        Assert.True(bearer.IsAdmin);
        Assert.Null(bearer.TokenHash);
    }

    [Fact]
    public void Classify_AdminTokenWithLowercaseSchemeAndPaddingIsAdmin()
    {
        var classifier = Classifier(AdminToken);

        var bearer = classifier.Classify("bearer   " + AdminToken + "  ");

        Assert.Equal(CredentialKind.Admin, bearer.Kind);
    }

    [Fact]
    public void Classify_AdminTokenWithDifferentCaseIsNotAdmin()
    {
        var classifier = Classifier(AdminToken);

        var bearer = classifier.Classify("Bearer " + AdminToken.ToUpperInvariant());

        Assert.NotEqual(CredentialKind.Admin, bearer.Kind);
    }

    [Fact]
    public void Classify_WorkspaceShapedValueIsWorkspaceTokenWithItsHash()
    {
        var classifier = Classifier(AdminToken);

        var bearer = classifier.Classify("Bearer " + WorkspaceToken);

        Assert.Equal(CredentialKind.WorkspaceToken, bearer.Kind);
        Assert.Equal(TokenFormat.Hash(WorkspaceToken), bearer.TokenHash);
        Assert.False(bearer.IsAdmin);
    }

    [Fact]
    public void Classify_WorkspaceTokenIsNeverAdminEvenIfNotConfigured()
    {
        var classifier = Classifier(null);

        var bearer = classifier.Classify("Bearer " + WorkspaceToken);

        Assert.Equal(CredentialKind.WorkspaceToken, bearer.Kind);
    }

    [Theory]
    [InlineData("Bearer something-else")]
    [InlineData("Bearer mws_short")]
    [InlineData("Bearer mws_0123456789abcdefghijklmnopqrstuvwxyzABCDEF=")]
    [InlineData("Bearer admin-secret-012345678")]
    public void Classify_OtherValueIsUnknown(string header)
    {
        var classifier = Classifier(AdminToken);

        var bearer = classifier.Classify(header);

        Assert.Equal(CredentialKind.Unknown, bearer.Kind);
        Assert.Null(bearer.TokenHash);
        Assert.True(bearer.IsPresent);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer ")]
    [InlineData("Basic " + AdminToken)]
    public void Classify_NoCredentialIsNone(string? header)
    {
        var classifier = Classifier(AdminToken);

        var bearer = classifier.Classify(header);

        Assert.Equal(CredentialKind.None, bearer.Kind);
        Assert.False(bearer.IsPresent);
    }

    [Fact]
    public void AdminConfigured_IsTrueWhenAdminTokenSet()
    {
        var classifier = Classifier(AdminToken);

        Assert.True(classifier.AdminConfigured);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void AdminConfigured_IsFalseWhenAdminTokenNullOrEmpty(string? adminToken)
    {
        var classifier = Classifier(adminToken);

        Assert.False(classifier.AdminConfigured);
    }

    [Theory]
    [InlineData(null, "Bearer " + AdminToken)]
    [InlineData("", "Bearer " + AdminToken)]
    [InlineData(null, "Bearer null")]
    [InlineData("", "Bearer \"\"")]
    public void Classify_NothingIsAdminWhenAdminTokenNotConfigured(string? adminToken, string header)
    {
        var classifier = Classifier(adminToken);

        var bearer = classifier.Classify(header);

        Assert.Equal(CredentialKind.Unknown, bearer.Kind);
        Assert.False(bearer.IsAdmin);
    }
}
