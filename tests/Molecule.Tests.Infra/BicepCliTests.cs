namespace Molecule.Tests.Infra;

/// <summary>The template compiles and lints clean with the CLI restored from NuGet (bicepconfig.json's rules).</summary>
public class BicepCliTests
{
    [Fact]
    public void Main_template_builds_without_warnings()
    {
        var template = CompiledTemplate.Main;

        Assert.Equal(0, template.BuildResult.ExitCode);
        Assert.DoesNotContain("Warning", template.BuildResult.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Error", template.BuildResult.Output, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(template.Resources);
    }

    public static TheoryData<string> BicepFiles() =>
        new(Directory.GetFiles(Bicep.InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Bicep.InfraDirectory, f)).Order());

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Every_bicep_file_lints_with_no_diagnostics(string file)
    {
        var result = Bicep.Run("lint", file);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("", result.Output.Trim());
    }

    [Fact]
    public void Lint_rules_that_guard_secrets_and_hygiene_are_errors()
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Bicep.InfraDirectory, "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();
        string[] mustBeErrors =
        [
            "secure-secrets-in-params", "outputs-should-not-contain-secrets", "no-hardcoded-env-urls",
            "use-secure-value-for-secure-inputs", "protect-commandtoexecute-secrets", "no-unused-params",
            "no-unused-vars", "use-resource-id-functions", "secure-parameter-default", "secure-params-in-nested-deploy",
            "no-hardcoded-location", "use-stable-resource-identifiers",
        ];

        foreach (var rule in mustBeErrors)
            Assert.True((string?)rules[rule]?["level"] == "error", rule + " must be set to error");
    }

    [Fact]
    public void Lint_fails_on_a_violation_so_a_clean_lint_means_something()
    {
        // A scratch template beside a copy of bicepconfig.json (so the same rules apply) that breaks one of them.
        var directory = Directory.CreateTempSubdirectory("lint-probe-");
        try
        {
            File.Copy(Path.Combine(Bicep.InfraDirectory, "bicepconfig.json"), Path.Combine(directory.FullName, "bicepconfig.json"));
            var probe = Path.Combine(directory.FullName, "probe.bicep");
            File.WriteAllText(probe, "param unused string\n");

            var result = Bicep.Run("lint", probe);

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("no-unused-params", result.Output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
