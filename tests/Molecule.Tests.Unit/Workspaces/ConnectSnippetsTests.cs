using Molecule.Core.Workspaces;

namespace Molecule.Tests.Unit.Workspaces;

public class ConnectSnippetsTests
{
    private const string Id = "3f0c9a2e-1b2c-4d5e-8f90-123456789abc";
    private const string PlatformUrl = "https://molecule.example.com";
    private const string AgentUrl = "https://agent.example.com/a2a";
    private const string OrgId = "org-123";
    private const string Token = "mws_Xk2fQ9aBcdefghijklmnopqrstuvwxyzABCDEFGHIJK";

    private static string[] Lines(string snippet) => snippet.TrimEnd('\n').Split('\n');

    // ---- Python ----

    [Fact]
    public void Python_WithEveryOptionalPart_MatchesTheContractTemplateExactly()
    {
        var expected = string.Join('\n',
            "# pip install \"git+https://github.com/Molecule-AI/molecule-sdk-python.git\"",
            "from molecule_agent import RemoteAgentClient",
            "",
            "client = RemoteAgentClient(",
            $"    workspace_id=\"{Id}\",",
            $"    platform_url=\"{PlatformUrl}\",",
            "    agent_card={\"name\": \"planner\"},",
            $"    reported_url=\"{AgentUrl}\",",
            $"    org_id=\"{OrgId}\",",
            ")",
            $"client.save_token(\"{Token}\")   # token issued by the admin; shown once",
            $"client.register()        # first call claims the workspace and stores the token in ~/.molecule/{Id}/ (a no-op afterwards)",
            "secrets = client.pull_secrets()",
            "client.run_heartbeat_loop()   # returns \"paused\" or \"removed\"",
            "# Poll-mode agents that handle messages use client.run_agent_loop(handler) instead.");

        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", AgentUrl, OrgId, Token);

        Assert.Equal(expected, snippet.TrimEnd('\n'));
    }

    [Fact]
    public void Python_WithNoOptionalPart_MatchesTheContractTemplateExactly()
    {
        var expected = string.Join('\n',
            "# pip install \"git+https://github.com/Molecule-AI/molecule-sdk-python.git\"",
            "from molecule_agent import RemoteAgentClient",
            "",
            "client = RemoteAgentClient(",
            $"    workspace_id=\"{Id}\",",
            $"    platform_url=\"{PlatformUrl}\",",
            "    agent_card={\"name\": \"planner\"},",
            ")",
            $"client.register()        # first call claims the workspace and stores the token in ~/.molecule/{Id}/ (a no-op afterwards)",
            "secrets = client.pull_secrets()",
            "client.run_heartbeat_loop()   # returns \"paused\" or \"removed\"",
            "# Poll-mode agents that handle messages use client.run_agent_loop(handler) instead.");

        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", null, null, null);

        Assert.Equal(expected, snippet.TrimEnd('\n'));
    }

    [Fact]
    public void Python_ContainsWorkspaceIdAndPlatformUrl()
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", null, null, null);

        Assert.Contains($"    workspace_id=\"{Id}\",", Lines(snippet));
        Assert.Contains($"    platform_url=\"{PlatformUrl}\",", Lines(snippet));
    }

    [Theory]
    [InlineData("planner", "\"planner\"")]
    [InlineData("Bob \"the\" builder", "\"Bob \\\"the\\\" builder\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("O'Brien", "\"O'Brien\"")]
    [InlineData("café ☕", "\"café ☕\"")]
    public void Python_InsertsTheNameAsAJsonStringLiteral(string name, string literal)
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, name, null, null, null);

        Assert.Contains($"    agent_card={{\"name\": {literal}}},", Lines(snippet));
    }

    [Fact]
    public void Python_ReportedUrlLinePresentWhenDialableUrlGiven()
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", AgentUrl, null, null);

        Assert.Contains($"    reported_url=\"{AgentUrl}\",", Lines(snippet));
    }

    [Fact]
    public void Python_NoReportedUrlLineWithoutUrl()
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", null, OrgId, Token);

        Assert.DoesNotContain("reported_url", snippet);
    }

    [Fact]
    public void Python_OrgIdLinePresentWhenGiven()
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", null, OrgId, null);

        Assert.Contains($"    org_id=\"{OrgId}\",", Lines(snippet));
    }

    [Fact]
    public void Python_NoOrgIdLineWithoutOrgId()
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", AgentUrl, null, Token);

        Assert.DoesNotContain("org_id", snippet);
    }

    [Fact]
    public void Python_SaveTokenLinePresentWithToken()
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", null, null, Token);

        Assert.Contains($"client.save_token(\"{Token}\")   # token issued by the admin; shown once", Lines(snippet));
    }

    [Fact]
    public void Python_NoSaveTokenLineWithoutToken()
    {
        var snippet = ConnectSnippets.Python(Id, PlatformUrl, "planner", AgentUrl, OrgId, null);

        Assert.DoesNotContain("save_token", snippet);
    }

    // ---- curl ----

    [Fact]
    public void Curl_WithEveryOptionalPart_MatchesTheContractTemplateExactly()
    {
        var expected = string.Join('\n',
            $"TOKEN=\"{Token}\"",
            $"curl -sS -X POST \"{PlatformUrl}/registry/register\" -H \"Content-Type: application/json\" \\",
            $"  -H \"Authorization: Bearer $TOKEN\" -H \"X-Molecule-Org-Id: {OrgId}\" \\",
            $"  -d '{{\"id\":\"{Id}\",\"url\":\"{AgentUrl}\",\"agent_card\":{{\"name\":\"planner\"}}}}'",
            "# keep auth_token from the reply (shown once) as TOKEN, then every 30 s:",
            $"curl -sS -X POST \"{PlatformUrl}/registry/heartbeat\" -H \"Authorization: Bearer $TOKEN\" \\",
            "  -H \"Content-Type: application/json\" \\",
            $"  -d '{{\"workspace_id\":\"{Id}\",\"current_task\":\"\",\"active_tasks\":0,\"error_rate\":0,\"sample_error\":\"\",\"uptime_seconds\":0}}'");

        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "planner", AgentUrl, OrgId, Token);

        Assert.Equal(expected, snippet.TrimEnd('\n'));
    }

    [Fact]
    public void Curl_NameWithSingleQuoteIsShellEscaped()
    {
        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "O'Brien", null, null, null);

        Assert.Contains($"  -d '{{\"id\":\"{Id}\",\"url\":\"remote://no-inbound\",\"agent_card\":{{\"name\":\"O'\\''Brien\"}}}}'", Lines(snippet));
    }

    [Fact]
    public void Curl_EverySingleQuoteInTheNameIsEscaped()
    {
        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "a'b'c", null, null, null);

        Assert.Contains("\"name\":\"a'\\''b'\\''c\"", snippet);
    }

    [Fact]
    public void Curl_UrlDefaultsToRemoteNoInbound()
    {
        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "planner", null, null, null);

        Assert.Contains("\"url\":\"remote://no-inbound\"", snippet);
    }

    [Fact]
    public void Curl_DialableUrlIsUsedWhenGiven()
    {
        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "planner", AgentUrl, null, null);

        Assert.Contains($"\"url\":\"{AgentUrl}\"", snippet);
        Assert.DoesNotContain("remote://no-inbound", snippet);
    }

    [Fact]
    public void Curl_TokenLineAndAuthorizationOnRegisterPresentWithToken()
    {
        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "planner", null, null, Token);

        var registerPart = RegisterPart(snippet);
        Assert.Equal($"TOKEN=\"{Token}\"", Lines(snippet)[0]);
        Assert.Contains("-H \"Authorization: Bearer $TOKEN\"", registerPart);
    }

    [Fact]
    public void Curl_NoTokenLineAndNoAuthorizationOnRegisterWithoutToken()
    {
        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "planner", null, OrgId, null);

        Assert.DoesNotContain("TOKEN=", snippet);
        Assert.DoesNotContain("Authorization", RegisterPart(snippet));
    }

    [Fact]
    public void Curl_HeartbeatAlwaysSendsTheToken()
    {
        var snippet = ConnectSnippets.Curl(Id, PlatformUrl, "planner", null, null, null);

        Assert.Contains($"curl -sS -X POST \"{PlatformUrl}/registry/heartbeat\" -H \"Authorization: Bearer $TOKEN\" \\", Lines(snippet));
    }

    [Fact]
    public void Curl_OrgHeaderPresentOnlyWhenOrgIdGiven()
    {
        var withOrg = ConnectSnippets.Curl(Id, PlatformUrl, "planner", null, OrgId, null);
        var withoutOrg = ConnectSnippets.Curl(Id, PlatformUrl, "planner", null, null, null);

        Assert.Contains($"-H \"X-Molecule-Org-Id: {OrgId}\"", RegisterPart(withOrg));
        Assert.DoesNotContain("X-Molecule-Org-Id", withoutOrg);
    }

    /// <summary>Everything before the "# keep auth_token" comment: the register command.</summary>
    private static string RegisterPart(string snippet)
    {
        var end = snippet.IndexOf("# keep auth_token", StringComparison.Ordinal);
        Assert.True(end > 0);
        return snippet[..end];
    }
}
