using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>A workspace as an agent sees it: its id and (when it has one) its token.</summary>
public sealed record Agent(string Id, string? Token);

/// <summary>Helpers shared by the registry, state and token tests (contract §3.3.9, §3.4, §3.5).</summary>
public static partial class RegistryApi
{
    public static readonly Regex TokenPattern = new(@"^mws_[A-Za-z0-9_-]{43}\z");
    public static readonly Regex TimestampPattern = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\z");

    public const string RemoteUrl = "remote://no-inbound";
    public const string LoopbackUrl = "http://127.0.0.1:8000/a2a";

    public static string Id(JsonObject w) => w["id"]!.GetValue<string>();

    /// <summary>A claimed workspace whose token was issued at create (status awaiting_agent).</summary>
    public static async Task<Agent> CreateClaimedAsync(this TestPlatform platform, string name = "agent", string? parentId = null)
    {
        var created = await platform.CreateWorkspaceAsync(name, parentId, issueToken: true);
        return new Agent(Id(created), created["connect"]!["auth_token"]!.GetValue<string>());
    }

    /// <summary>An unclaimed workspace (claim window open).</summary>
    public static async Task<Agent> CreateUnclaimedAsync(this TestPlatform platform, string name = "agent") =>
        new(Id(await platform.CreateWorkspaceAsync(name)), null);

    public static JsonObject Card(string name = "planner") => new() { ["name"] = name, ["skills"] = new JsonArray() };

    public static Task<ApiResponse> RegisterAsync(this TestPlatform platform, string id, string? bearer, string url = RemoteUrl,
        JsonObject? card = null, string? deliveryMode = null, string? authorization = null)
    {
        var body = new JsonObject { ["id"] = id, ["url"] = url, ["agent_card"] = card ?? Card() };
        if (deliveryMode is not null) body["delivery_mode"] = deliveryMode;
        return platform.SendAsync(HttpMethod.Post, "/registry/register", body.ToJsonString(), bearer, authorization: authorization);
    }

    public static Task<ApiResponse> HeartbeatAsync(this TestPlatform platform, string id, string? bearer, double errorRate = 0,
        string currentTask = "", int activeTasks = 0, string sampleError = "", string? runtimeState = null, string? authorization = null)
    {
        var body = new JsonObject
        {
            ["workspace_id"] = id, ["current_task"] = currentTask, ["active_tasks"] = activeTasks,
            ["error_rate"] = errorRate, ["sample_error"] = sampleError, ["uptime_seconds"] = 12,
        };
        if (runtimeState is not null) body["runtime_state"] = runtimeState;
        return platform.SendAsync(HttpMethod.Post, "/registry/heartbeat", body.ToJsonString(), bearer, authorization: authorization);
    }

    public static Task<ApiResponse> UpdateCardAsync(this TestPlatform platform, string id, string? bearer, JsonObject? card = null, string? authorization = null) =>
        platform.SendAsync(HttpMethod.Post, "/registry/update-card",
            new JsonObject { ["workspace_id"] = id, ["agent_card"] = card ?? Card() }.ToJsonString(), bearer, authorization: authorization);

    /// <summary>The workspace object as the admin sees it (removed included).</summary>
    public static async Task<JsonObject> GetAsAdminAsync(this TestPlatform platform, string id)
    {
        var response = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}?include_removed=true");
        Assert.True(response.Status == 200, $"GET answered {response.Status}: {response.Text}");
        return response.Object;
    }

    public static async Task RemoveAsync(this TestPlatform platform, string id)
    {
        var response = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}?confirm=true");
        Assert.True(response.Status == 200, $"DELETE answered {response.Status}: {response.Text}");
    }

    public static async Task PauseAsync(this TestPlatform platform, string id)
    {
        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/pause");
        Assert.True(response.Status == 200, $"pause answered {response.Status}: {response.Text}");
    }

    /// <summary>Mints a further token as admin; returns (token id, plaintext).</summary>
    public static async Task<(string TokenId, string Token)> MintAsync(this TestPlatform platform, string id)
    {
        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/tokens");
        Assert.True(response.Status == 201, $"mint answered {response.Status}: {response.Text}");
        return (response["id"]!, response["auth_token"]!);
    }

    /// <summary>The id of a token (found by its display prefix in the admin's list, revoked included).</summary>
    public static async Task<string> TokenIdAsync(this TestPlatform platform, string id, string token)
    {
        var list = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/tokens?include_revoked=true");
        Assert.Equal(200, list.Status);
        return list.Array.Single(t => t!["prefix"]!.GetValue<string>() == token[..12])!["id"]!.GetValue<string>();
    }

    public static async Task RevokeAsync(this TestPlatform platform, string id, string token)
    {
        var tokenId = await platform.TokenIdAsync(id, token);
        var response = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}/tokens/{tokenId}");
        Assert.True(response.Status == 200, $"revoke answered {response.Status}: {response.Text}");
    }

    /// <summary>A well-formed workspace token that was never issued.</summary>
    public static string UnknownToken() =>
        "mws_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A platform whose clock the test drives (starts at the real now).</summary>
    public static async Task<(TestPlatform Platform, FakeTimeProvider Time)> StartWithFakeTimeAsync(IDictionary<string, string?>? settings = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var platform = await TestPlatform.StartAsync(settings, services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        return (platform, time);
    }

    /// <summary>The registered-update / claim body of §3.5.2 case 5 (without auth_token).</summary>
    public static JsonObject Registered(string id, string deliveryMode, int interval = 30, int offlineAfter = 90) => new()
    {
        ["status"] = "registered", ["workspace_id"] = id, ["delivery_mode"] = deliveryMode,
        ["heartbeat_interval_seconds"] = interval, ["offline_after_seconds"] = offlineAfter,
    };

    public static JsonObject HeartbeatOk(string status) => new()
    {
        ["status"] = "ok", ["workspace_status"] = status, ["paused"] = status == "paused",
    };

    public static void AssertStatus(this ApiResponse response, int status) =>
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Text}");

    public static void AssertBody(this ApiResponse response, int status, JsonNode expected)
    {
        response.AssertStatus(status);
        ApiClient.AssertJson(expected, response.Json);
    }
}
