using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Molecule.Tests.Infra;

/// <summary>
/// host.json keeps the fleet's steady traffic out of Application Insights: successful request records are not
/// written (failures are, and are never sampled), and the three calls every agent makes all day log only warnings.
/// </summary>
public partial class HostJsonTests
{
    private static readonly JsonNode Host = JsonNode.Parse(File.ReadAllText(Path.Combine(Bicep.RepositoryRoot, "host.json")))!;

    [Fact]
    public void The_route_prefix_stays_empty()
    {
        Assert.Equal("", (string?)Host["extensions"]!["http"]!["routePrefix"]);
    }

    [Fact]
    public void Request_records_are_written_for_failures_only()
    {
        // Host.Results is the category of request telemetry; the host writes a success at Information and a
        // failure at Error, so Error keeps every failure and drops every success.
        Assert.Equal("Error", (string?)Host["logging"]!["logLevel"]!["Host.Results"]);
        // Per-function counts, failures and durations still arrive as the aggregator's metrics.
        Assert.Equal("Information", (string?)Host["logging"]!["logLevel"]!["Host.Aggregator"]);
    }

    [Fact]
    public void Sampling_is_on_and_never_drops_a_failure()
    {
        var sampling = Host["logging"]!["applicationInsights"]!["samplingSettings"]!;
        var excluded = ((string?)sampling["excludedTypes"] ?? "").Split(';', StringSplitOptions.TrimEntries);

        Assert.True(sampling["isEnabled"]!.GetValue<bool>());
        Assert.Contains("Exception", excluded);
        Assert.Contains("Request", excluded); // only failed requests remain, and all of them are kept
    }

    public static TheoryData<string, string, string> HotPaths() => new()
    {
        { "Heartbeat", "post", "registry/heartbeat" },
        { "WorkspaceState", "get", "workspaces/{id}/state" },
        { "ListActivity", "get", "workspaces/{id}/activity" }, // the SDK's inbox poll
    };

    [Theory]
    [MemberData(nameof(HotPaths))]
    public void The_fleets_steady_calls_log_warnings_and_errors_only(string function, string method, string route)
    {
        // The function really is the hot path it is named for (so a rename cannot silently undo the filter).
        var source = string.Concat(Directory.GetFiles(Path.Combine(Bicep.RepositoryRoot, "src", "Functions"), "*.cs").Select(File.ReadAllText));
        var declaration = new Regex($@"\[Function\(""{function}""\)\][^\[]*\[HttpTrigger\([^)]*""{method}"", Route = ""{Regex.Escape(route)}""\)");
        Assert.Matches(declaration, source);

        var level = (string?)Host["logging"]!["logLevel"]![$"Function.{function}"];
        Assert.Contains(level, new[] { "Warning", "Error" });
    }
}
