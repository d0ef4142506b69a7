using System.Text.Json.Nodes;

namespace Molecule.Tests.Integration.Infrastructure;

/// <summary>
/// Sends exactly what the official Python SDK (molecule_agent.RemoteAgentClient) sends: JSON bodies,
/// Origin = platform URL on every call, no Authorization on register, the cached bearer elsewhere.
/// </summary>
public sealed class SdkAgent(TestPlatform platform, string workspaceId)
{
    public string WorkspaceId { get; } = workspaceId;
    public string? Token { get; set; }
    private readonly DateTimeOffset started = DateTimeOffset.UtcNow;

    private Dictionary<string, string> TenantHeaders => new() { ["Origin"] = platform.BaseAddress.ToString().TrimEnd('/') };

    public async Task<ApiResponse> RegisterAsync(string url = "remote://no-inbound", object? card = null)
    {
        var response = await platform.SendAsync(HttpMethod.Post, "/registry/register",
            new { id = WorkspaceId, url, agent_card = card ?? new { name = "sdk-agent", skills = Array.Empty<object>() } },
            headers: TenantHeaders);
        if (response.Status == 200 && response["auth_token"] is { } token) Token = token;
        return response;
    }

    public Task<ApiResponse> HeartbeatAsync(string currentTask = "", int activeTasks = 0, double errorRate = 0, string sampleError = "") =>
        platform.SendAsync(HttpMethod.Post, "/registry/heartbeat", new JsonObject
        {
            ["workspace_id"] = WorkspaceId, ["current_task"] = currentTask, ["active_tasks"] = activeTasks,
            ["error_rate"] = errorRate, ["sample_error"] = sampleError,
            ["uptime_seconds"] = (int)(DateTimeOffset.UtcNow - started).TotalSeconds,
        }.ToJsonString(), Token, TenantHeaders);

    public Task<ApiResponse> PollStateAsync() =>
        platform.SendAsync(HttpMethod.Get, $"/workspaces/{WorkspaceId}/state", bearer: Token, headers: TenantHeaders);
}
