using System.Collections.Concurrent;
using Azure.Core;

namespace Molecule.Tests.Integration.KeyVault;

/// <summary>Hands out one fixed access token and records the scopes it was asked for.</summary>
public sealed class FakeTokenCredential : TokenCredential
{
    public const string Token = "fake-access-token";

    private readonly ConcurrentQueue<string> scopes = new();

    public IReadOnlyList<string> ScopesRequested => scopes.ToArray();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes) scopes.Enqueue(scope);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>Counts the HTTP requests a SecretClient sends (one per try, after authentication).</summary>
public sealed class RequestCountingPolicy : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
{
    private int count;

    public int Count => Volatile.Read(ref count);

    public void Reset() => Interlocked.Exchange(ref count, 0);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref count);
}
