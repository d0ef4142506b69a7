using System.Text.Json;
using Molecule.Core.Api;
using Molecule.Core.Workspaces;

namespace Molecule.Tests.Unit.Workspaces;

/// <summary>The runtime pattern of §3.3.1: ^[a-z0-9][a-z0-9_-]{0,49}$ (1–50 characters, nothing else).</summary>
public class WorkspaceRulesRuntimeTests
{
    [Theory]
    [InlineData("external")]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("langgraph_v2-beta")]
    [InlineData("a1234567890123456789012345678901234567890123456789")] // 50 characters
    public void Runtime_AcceptsValuesMatchingThePattern(string runtime)
    {
        Assert.Matches(WorkspaceRules.Runtime(), runtime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("External")]
    [InlineData("_external")]
    [InlineData("-external")]
    [InlineData("ext ernal")]
    [InlineData("external.v2")]
    [InlineData("a12345678901234567890123456789012345678901234567890")] // 51 characters
    [InlineData("external\n")] // trailing newline
    public void Runtime_RejectsValuesNotMatchingThePattern(string runtime)
    {
        Assert.DoesNotMatch(WorkspaceRules.Runtime(), runtime);
    }

    [Fact]
    public void Read_RuntimeWithTrailingNewline_FailsTheBody()
    {
        var reader = new BodyReader(JsonDocument.Parse("""{"name":"planner","runtime":"external\n"}""").RootElement);

        var fields = WorkspaceRules.Read(reader, creating: true);

        Assert.True(reader.Failed, $"runtime {JsonSerializer.Serialize(fields.Runtime)} was accepted");
    }
}
