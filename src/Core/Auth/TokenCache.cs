using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Molecule.Core.Auth;

/// <summary>
/// Validated token rows, kept for at most <see cref="AuthOptions.TokenCacheSeconds"/>: a revocation made
/// on another instance takes effect within that bound; one made here takes effect at once.
/// </summary>
public sealed class TokenCache(IOptions<AuthOptions> options, TimeProvider time)
{
    public sealed record Entry(string WorkspaceId, string TokenId, DateTimeOffset? LastUsedAt, DateTimeOffset ExpiresAt);

    private readonly ConcurrentDictionary<string, Entry> entries = new();
    private readonly TimeSpan ttl = TimeSpan.FromSeconds(options.Value.TokenCacheSeconds);

    public Entry? Get(string hash)
    {
        if (!entries.TryGetValue(hash, out var entry)) return null;
        if (time.GetUtcNow() < entry.ExpiresAt) return entry;
        entries.TryRemove(KeyValuePair.Create(hash, entry));
        return null;
    }

    public void Put(TokenEntity token)
    {
        if (ttl <= TimeSpan.Zero || token.RevokedAt is not null) return;
        if (entries.Count > 100_000) entries.Clear(); // bound memory under a flood of distinct tokens
        entries[token.Hash] = new Entry(token.WorkspaceId, token.TokenId, token.LastUsedAt, time.GetUtcNow() + ttl);
    }

    public void Forget(string hash) => entries.TryRemove(hash, out _);

    public void ForgetWorkspace(string workspaceId)
    {
        foreach (var (hash, entry) in entries)
            if (entry.WorkspaceId == workspaceId) entries.TryRemove(hash, out _);
    }
}
