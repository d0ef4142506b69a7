using System.Text.RegularExpressions;
using Molecule.Core.Api;
using Molecule.Core.Network;

namespace Molecule.Core.Workspaces;

/// <summary>Field rules shared by create and PATCH (§3.3.1).</summary>
public static partial class WorkspaceRules
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,49}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Runtime();

    public sealed record Fields(
        string? Name, string? Role, string? Runtime, long? Tier, string? ParentId, bool ParentGiven,
        string? Url, string? DeliveryMode, bool? IssueToken);

    /// <summary>Reads the fields in the contract's table order; the first failing one is the error.</summary>
    public static Fields Read(BodyReader f, bool creating)
    {
        var name = f.String("name", required: creating, maxChars: 255, trim: true, nonEmpty: true, noControl: true);
        var role = f.String("role", maxChars: 255, noControl: true);
        var runtime = creating ? f.String("runtime", pattern: Runtime(), patternReason: "must match ^[a-z0-9][a-z0-9_-]{0,49}$") : null;
        var tier = f.Integer("tier", 1, 4);
        var parentGiven = f.HasKey("parent_id");
        var parentId = f.WorkspaceId("parent_id");
        var url = f.String("url");
        if (url is { Length: > 0 } && AgentUrlPolicy.CheckSyntax(url, out _) is { } urlError) f.Fail(urlError);
        var mode = f.String("delivery_mode");
        if (mode is not null and not ("push" or "poll")) f.Fail("delivery_mode: must be push or poll");
        if (mode == "push" && url is { Length: > 0 } && !AgentUrlPolicy.IsDialable(url))
            f.Fail("delivery_mode: push requires an http or https url");
        var issueToken = creating ? f.Boolean("issue_token") : null;
        return new Fields(name, role, runtime, tier, parentId, parentGiven, url, mode, issueToken);
    }
}
