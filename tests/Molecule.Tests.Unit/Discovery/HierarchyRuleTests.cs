using Molecule.Core.Discovery;
using Molecule.Core.Workspaces;

namespace Molecule.Tests.Unit.Discovery;

/// <summary>§1.6 over a small tree: root → {a → {a1}, b → {b1}}, plus a second root r2.</summary>
public sealed class HierarchyRuleTests
{
    private static readonly Dictionary<string, WorkspaceEntity> Tree = Build();

    private static Dictionary<string, WorkspaceEntity> Build()
    {
        WorkspaceEntity W(string id, string? parent) => new() { PartitionKey = id, ParentId = parent };
        return new[] { W("root", null), W("a", "root"), W("a1", "a"), W("b", "root"), W("b1", "b"), W("r2", null) }.ToDictionary(w => w.Id);
    }

    private static List<WorkspaceEntity> Ancestors(string id)
    {
        var list = new List<WorkspaceEntity>();
        for (var p = Tree[id].ParentId; p is not null; p = Tree[p].ParentId) list.Add(Tree[p]);
        return list;
    }

    [Theory]
    [InlineData("a", "a", true)]      // self
    [InlineData("a", "b", true)]      // siblings
    [InlineData("root", "r2", true)]  // both roots
    [InlineData("a1", "a", true)]     // parent
    [InlineData("a1", "root", true)]  // grandparent
    [InlineData("root", "b1", true)]  // descendant
    [InlineData("a1", "b1", false)]   // cousins
    [InlineData("a1", "b", false)]    // aunt
    [InlineData("r2", "a", false)]    // another tree
    public void Allows_follows_section_1_6(string from, string to, bool expected)
    {
        Assert.Equal(expected, HierarchyRule.Allows(Tree[from], Ancestors(from), Tree[to], Ancestors(to)));
        Assert.Equal(expected, HierarchyRule.Allows(Tree[to], Ancestors(to), Tree[from], Ancestors(from)));
    }
}
