using System.Text.RegularExpressions;

namespace Molecule.Core.Api;

public static partial class Ids
{
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Uuid();

    /// <summary>Lowercase canonical UUID, the only workspace id form (§0.2).</summary>
    public static bool IsWorkspaceId(string? value) => value is not null && Uuid().IsMatch(value);

    /// <summary>Token and delegation ids use the same lowercase UUID form.</summary>
    public static bool IsLowerUuid(string? value) => IsWorkspaceId(value);

    public static string NewId() => Guid.NewGuid().ToString("D");
}
