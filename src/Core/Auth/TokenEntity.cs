using Molecule.Core.Storage;

namespace Molecule.Core.Auth;

/// <summary>
/// A workspace token: table "workspaces", PartitionKey = workspace id, RowKey = "tok-" + SHA-256 hex.
/// Only the hash and a display prefix are stored; the plaintext exists once, in the mint response.
/// </summary>
public sealed class TokenEntity : TableRow
{
    public const string RowPrefix = "tok-";


    public const string KindValue = "token";

    public string Kind { get; set; } = KindValue;
    public string TokenId { get; set; } = "";
    public string Prefix { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public string WorkspaceId => PartitionKey;
    public string Hash => RowKey[RowPrefix.Length..];

    public static string RowFor(string hash) => RowPrefix + hash;
}

/// <summary>
/// Global index from token hash to its workspace (table "tokenhashes", PartitionKey = RowKey = hash),
/// for routes open to any workspace token, where the request does not name the workspace.
/// </summary>
public sealed class TokenHashEntity : TableRow
{

    public string WorkspaceId { get; set; } = "";
    public const string KindValue = "token";

    public string Kind { get; set; } = KindValue;
    public string TokenId { get; set; } = "";
}
