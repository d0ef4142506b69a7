using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;
using Molecule.LocalHost;

namespace Molecule.Tests.Integration.Realtime;

/// <summary>POST /realtime/negotiate (§3.1) and LocalHost's in-process hub standing in for SignalR Service.</summary>
public sealed class NegotiateTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    [Fact]
    public async Task The_admin_gets_the_hub_url_and_an_access_token_in_camelCase()
    {
        var response = await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate?negotiateVersion=1", bearer: platform.AdminToken);

        Assert.Equal(200, response.Status);
        Assert.Equal(new[] { "url", "accessToken" }, response.Object.Select(p => p.Key));
        Assert.Equal($"{platform.BaseAddress.ToString().TrimEnd('/')}/realtime/client/?hub=canvas", response["url"]);
        Assert.False(string.IsNullOrEmpty(response["accessToken"]));
    }

    [Fact]
    public async Task Negotiate_is_admin_only()
    {
        var agent = await platform.CreateClaimedAsync();

        (await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate")).AssertError(401, "admin auth required");
        (await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate", bearer: agent.Token)).AssertError(401, "invalid admin auth token");
    }

    [Fact]
    public async Task The_hub_accepts_only_the_negotiated_token()
    {
        var negotiated = await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate", bearer: platform.AdminToken);
        var hubNegotiate = $"/realtime/client/negotiate?hub=canvas&negotiateVersion=1";

        var withToken = await platform.SendAsync(HttpMethod.Post, hubNegotiate, bearer: negotiated["accessToken"]);
        var withoutToken = await platform.SendAsync(HttpMethod.Post, hubNegotiate);
        var withAdminToken = await platform.SendAsync(HttpMethod.Post, hubNegotiate, bearer: platform.AdminToken);
        var forged = await platform.SendAsync(HttpMethod.Post, hubNegotiate, bearer: "99999999999.deadbeef");

        Assert.Equal(200, withToken.Status);
        Assert.NotNull(withToken.Json!["connectionToken"]);
        Assert.Contains(withToken.Json!["availableTransports"]!.AsArray(), t => t!["transport"]!.GetValue<string>() == "WebSockets");
        Assert.Equal("nosniff", withToken.Header("X-Content-Type-Options"));
        withoutToken.AssertError(401, "invalid realtime access token");
        withAdminToken.AssertError(401, "invalid realtime access token");
        forged.AssertError(401, "invalid realtime access token");
    }

    [Fact]
    public async Task Without_an_admin_token_negotiate_answers_503()
    {
        await using var unconfigured = await TestPlatform.StartAsync(adminToken: null);

        var response = await unconfigured.SendAsync(HttpMethod.Post, "/realtime/negotiate");

        response.AssertError(503, "admin token not configured", code: "admin_not_configured");
    }
}

/// <summary>An event reaches a connected canvas over the SignalR JSON protocol (WebSocket), as the browser client receives it.</summary>
public sealed class HubDeliveryTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;
    private const char RecordSeparator = '\u001e';

    [Fact]
    public async Task A_workspace_change_arrives_on_hub_method_event()
    {
        var negotiated = await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate", bearer: platform.AdminToken);
        var token = negotiated["accessToken"]!;
        var hub = await platform.SendAsync(HttpMethod.Post, "/realtime/client/negotiate?hub=canvas&negotiateVersion=1", bearer: token);
        var connectionToken = hub["connectionToken"]!;
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        var ws = new Uri($"ws://{platform.BaseAddress.Authority}/realtime/client?hub=canvas&id={connectionToken}&access_token={Uri.EscapeDataString(token)}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(ws, timeout.Token);
        await Send(socket, "{\"protocol\":\"json\",\"version\":1}" + RecordSeparator, timeout.Token);
        Assert.Equal("{}", (await ReceiveRecord(socket, timeout.Token)));

        var created = await platform.CreateWorkspaceAsync("live");

        JsonNode? message;
        do message = JsonNode.Parse(await ReceiveRecord(socket, timeout.Token));
        while (message!["type"]!.GetValue<int>() != 1
               || message["arguments"]![0]!["workspace_id"]?.GetValue<string>() != created["id"]!.GetValue<string>());
        Assert.Equal("event", message["target"]!.GetValue<string>());
        var envelope = message["arguments"]![0]!.AsObject();
        Assert.Equal("WORKSPACE_AWAITING_AGENT", envelope["event"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", envelope["timestamp"]!.GetValue<string>());
        Assert.Equal("live", envelope["payload"]!["name"]!.GetValue<string>());
    }

    private static Task Send(System.Net.WebSockets.ClientWebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), System.Net.WebSockets.WebSocketMessageType.Text, true, ct);

    private readonly System.Text.StringBuilder pending = new();

    private async Task<string> ReceiveRecord(System.Net.WebSockets.ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[8192];
        while (true)
        {
            var text = pending.ToString();
            var end = text.IndexOf(RecordSeparator);
            if (end >= 0)
            {
                pending.Remove(0, end + 1);
                return text[..end];
            }
            var result = await socket.ReceiveAsync(buffer, ct);
            pending.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }
}
