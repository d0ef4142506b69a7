using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Molecule.Core.Workspaces;

/// <summary>The connection snippets of §3.3.1, generated from the contract's templates.</summary>
public static class ConnectSnippets
{
    private static readonly JsonSerializerOptions LiteralOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The name as a JSON string literal (also a valid Python literal).</summary>
    public static string NameLiteral(string name) => JsonSerializer.Serialize(name, LiteralOptions);

    public static string Python(string id, string platformUrl, string name, string? dialableUrl, string? orgId, string? authToken)
    {
        var s = new StringBuilder();
        s.Append("# pip install \"git+https://github.com/Molecule-AI/molecule-sdk-python.git\"\n");
        s.Append("from molecule_agent import RemoteAgentClient\n\n");
        s.Append("client = RemoteAgentClient(\n");
        s.Append($"    workspace_id=\"{id}\",\n");
        s.Append($"    platform_url=\"{platformUrl}\",\n");
        s.Append($"    agent_card={{\"name\": {NameLiteral(name)}}},\n");
        if (dialableUrl is not null) s.Append($"    reported_url=\"{dialableUrl}\",\n");
        if (orgId is not null) s.Append($"    org_id=\"{orgId}\",\n");
        s.Append(")\n");
        if (authToken is not null) s.Append($"client.save_token(\"{authToken}\")   # token issued by the admin; shown once\n");
        s.Append($"client.register()        # first call claims the workspace and stores the token in ~/.molecule/{id}/ (a no-op afterwards)\n");
        s.Append("secrets = client.pull_secrets()\n");
        s.Append("client.run_heartbeat_loop()   # returns \"paused\" or \"removed\"\n");
        s.Append("# Poll-mode agents that handle messages use client.run_agent_loop(handler) instead.\n");
        return s.ToString();
    }

    public static string Curl(string id, string platformUrl, string name, string? dialableUrl, string? orgId, string? authToken)
    {
        var shellName = NameLiteral(name).Replace("'", "'\\''");
        var s = new StringBuilder();
        if (authToken is not null) s.Append($"TOKEN=\"{authToken}\"\n");
        s.Append($"curl -sS -X POST \"{platformUrl}/registry/register\" -H \"Content-Type: application/json\" \\\n");
        var extras = new List<string>();
        if (authToken is not null) extras.Add("-H \"Authorization: Bearer $TOKEN\"");
        if (orgId is not null) extras.Add($"-H \"X-Molecule-Org-Id: {orgId}\"");
        if (extras.Count > 0) s.Append("  ").Append(string.Join(' ', extras)).Append(" \\\n");
        s.Append($"  -d '{{\"id\":\"{id}\",\"url\":\"{dialableUrl ?? "remote://no-inbound"}\",\"agent_card\":{{\"name\":{shellName}}}}}'\n");
        s.Append("# keep auth_token from the reply (shown once) as TOKEN, then every 30 s:\n");
        s.Append($"curl -sS -X POST \"{platformUrl}/registry/heartbeat\" -H \"Authorization: Bearer $TOKEN\" \\\n");
        s.Append("  -H \"Content-Type: application/json\" \\\n");
        s.Append($"  -d '{{\"workspace_id\":\"{id}\",\"current_task\":\"\",\"active_tasks\":0,\"error_rate\":0,\"sample_error\":\"\",\"uptime_seconds\":0}}'\n");
        return s.ToString();
    }
}
