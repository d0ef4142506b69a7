using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>
/// A LocalHost for test classes that make many admin calls in a minute (one admin bearer = one rate-limit bucket,
/// §0.8): the limit is raised so that a 429 can never stand in for the answer under test.
/// </summary>
public sealed class UnthrottledPlatformFixture : IAsyncLifetime
{
    public TestPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "1000000" });

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

/// <summary>Small helpers shared by the messaging matrix, SDK-sequence and figures tests.</summary>
public static class Messages
{
    public const string UlidPattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$";

    public static string Base(this TestPlatform platform) => platform.BaseAddress.ToString().TrimEnd('/');

    public static string ProxyAddress(this TestPlatform platform, string id) => $"{platform.Base()}/workspaces/{id}/a2a";

    /// <summary>The JSON-RPC message/send the SDK builds (call_peer: role user; reply: role agent).</summary>
    public static JsonObject MessageSend(string text, string role = "user", string? messageId = null) => new()
    {
        ["jsonrpc"] = "2.0", ["id"] = Guid.NewGuid().ToString(), ["method"] = "message/send",
        ["params"] = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["role"] = role, ["messageId"] = messageId ?? Guid.NewGuid().ToString(),
                ["parts"] = new JsonArray(new JsonObject { ["kind"] = "text", ["text"] = text }),
            },
        },
    };

    /// <summary>A v0.3 card; served as-is plus url = proxy address and preferredTransport JSONRPC (§3.6).</summary>
    public static JsonObject V03Card(string name) => new() { ["name"] = name, ["protocolVersion"] = "0.3.0", ["skills"] = new JsonArray() };

    public static JsonObject ServedV03Card(this TestPlatform platform, string name, string id)
    {
        var card = V03Card(name);
        card["url"] = platform.ProxyAddress(id);
        card["preferredTransport"] = "JSONRPC";
        return card;
    }

    /// <summary>Everything in a workspace's activity feed, as the admin sees it (newest first).</summary>
    public static async Task<JsonArray> FeedAsAdminAsync(this TestPlatform platform, string id, string query = "")
    {
        var response = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/activity?limit=500{query}");
        response.AssertStatus(200);
        return response.Array;
    }

    public static async Task<JsonArray> DelegationsAsAdminAsync(this TestPlatform platform, string id)
    {
        var response = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/delegations?limit=200");
        response.AssertStatus(200);
        return response.Array;
    }

    public static List<string> Ids(this JsonArray rows, string property = "id") => rows.Select(r => r![property]!.GetValue<string>()).ToList();

    public static JsonObject Error(string error) => new() { ["error"] = error };
}
