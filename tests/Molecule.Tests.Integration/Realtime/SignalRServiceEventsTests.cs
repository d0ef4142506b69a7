using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure;
using Molecule.Core.Events;
using Molecule.Tests.Integration.KeyVault;

namespace Molecule.Tests.Integration.Realtime;

/// <summary>The SignalR Service publisher through its Azure.Core pipeline against <see cref="TestSignalRService"/> over HTTPS.</summary>
public sealed class SignalRServiceEventsTests : IAsyncLifetime
{
    private const string Hub = "canvas";
    private const string WorkspaceId = "5b0d7f0e-3c1a-4a8e-9a51-6d2f3e4c5b6a";

    private readonly FakeTokenCredential credential = new();
    private TestSignalRService service = null!;
    private SignalRServiceEvents events = null!;

    public async Task InitializeAsync()
    {
        service = await TestSignalRService.StartAsync();
        events = new SignalRServiceEvents(service.Endpoint, Hub, credential, Options());
    }

    public async Task DisposeAsync() => await service.DisposeAsync();

    private SignalRServiceEventsOptions Options()
    {
        // Production retry settings with a short base delay, so retries without a Retry-After are quick.
        var options = new SignalRServiceEventsOptions { Transport = service.CreateTransport() };
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    private static CanvasEvent Event(string? workspaceId = WorkspaceId) => new(
        EventNames.WorkspaceOnline,
        workspaceId,
        new DateTimeOffset(2026, 5, 2, 12, 15, 30, 123, TimeSpan.FromHours(2)).AddTicks(4567),
        new JsonObject { ["name"] = "alpha", ["tier"] = 2, ["tags"] = new JsonArray("a", "é<b>") });

    [Fact]
    public async Task Publish_posts_the_envelope_to_the_hub_send_route_with_a_bearer_token()
    {
        await events.PublishAsync(Event(), CancellationToken.None);

        var request = Assert.Single(service.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/hubs/canvas/:send", request.Path);
        Assert.Equal("/api/hubs/canvas/:send?api-version=2022-11-01", request.RawTarget);
        Assert.Equal("2022-11-01", request.Query["api-version"].ToString());
        Assert.Equal($"Bearer {FakeTokenCredential.Token}", request.Authorization);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.NotEmpty(credential.ScopesRequested);
        Assert.All(credential.ScopesRequested, scope => Assert.Equal("https://signalr.azure.com/.default", scope));
        Assert.Equal(
            """{"target":"event","arguments":[{"event":"WORKSPACE_ONLINE","workspace_id":"5b0d7f0e-3c1a-4a8e-9a51-6d2f3e4c5b6a","timestamp":"2026-05-02T10:15:30.123Z","payload":{"name":"alpha","tier":2,"tags":["a","é<b>"]}}]}""",
            request.Body);
    }

    [Fact]
    public async Task Publish_without_a_workspace_sends_workspace_id_null()
    {
        await events.PublishAsync(Event(workspaceId: null), CancellationToken.None);

        var body = JsonNode.Parse(Assert.Single(service.Requests).Body)!.AsObject();
        Assert.Equal(["target", "arguments"], body.Select(p => p.Key));
        var envelope = Assert.Single(body["arguments"]!.AsArray())!.AsObject();
        Assert.Equal(["event", "workspace_id", "timestamp", "payload"], envelope.Select(p => p.Key));
        Assert.True(envelope.ContainsKey("workspace_id"));
        Assert.Null(envelope["workspace_id"]);
        Assert.Equal("2026-05-02T10:15:30.123Z", envelope["timestamp"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_503_is_retried_after_its_Retry_After_and_the_publish_succeeds()
    {
        service.FailNext(1, 503, retryAfterSeconds: 1);
        var clock = Stopwatch.StartNew();

        await events.PublishAsync(Event(), CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {clock.Elapsed}, before Retry-After");
        var requests = service.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("/api/hubs/canvas/:send", r.Path));
        Assert.All(requests, r => Assert.Equal($"Bearer {FakeTokenCredential.Token}", r.Authorization));
        Assert.Equal(requests[0].Body, requests[1].Body);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(502)]
    public async Task Other_transient_statuses_are_retried(int status)
    {
        service.FailNext(2, status);

        await events.PublishAsync(Event(), CancellationToken.None);

        Assert.Equal(3, service.Requests.Count);
    }

    [Fact]
    public async Task A_persistent_500_throws_after_the_retries()
    {
        service.FailAlways(500);
        var options = Options();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => events.PublishAsync(Event(), CancellationToken.None));

        Assert.Equal(500, error.Status);
        Assert.Equal(options.Retry.MaxRetries + 1, service.Requests.Count);
        Assert.Equal(4, service.Requests.Count);
    }

    [Fact]
    public async Task A_400_is_not_retried_and_throws()
    {
        service.FailNext(1, 400);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => events.PublishAsync(Event(), CancellationToken.None));

        Assert.Equal(400, error.Status);
        Assert.Single(service.Requests);
    }

    [Fact]
    public async Task A_failed_publish_through_EventPublisher_is_swallowed()
    {
        service.FailAlways(500);
        var publisher = new EventPublisher(events, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EventPublisher>.Instance);

        await publisher.PublishAsync(EventNames.WorkspaceOnline, WorkspaceId, new JsonObject(), CancellationToken.None);

        Assert.Equal(4, service.Requests.Count);
    }

    [Fact]
    public async Task GenerateClientToken_asks_for_a_60_minute_token_and_returns_it()
    {
        var token = await events.GenerateClientTokenAsync(TimeSpan.FromMinutes(60), CancellationToken.None);

        Assert.Equal(TestSignalRService.ClientToken, token);
        var request = Assert.Single(service.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/hubs/canvas/:generateToken", request.Path);
        Assert.Equal("2022-11-01", request.Query["api-version"].ToString());
        Assert.Equal("60", request.Query["minutesToExpire"].ToString());
        Assert.Equal($"Bearer {FakeTokenCredential.Token}", request.Authorization);
        Assert.All(credential.ScopesRequested, scope => Assert.Equal("https://signalr.azure.com/.default", scope));
    }

    [Fact]
    public async Task GenerateClientToken_fails_when_the_service_refuses()
    {
        service.FailAlways(403);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            events.GenerateClientTokenAsync(TimeSpan.FromMinutes(60), CancellationToken.None));

        Assert.Equal(403, error.Status);
        Assert.Single(service.Requests);
    }

    [Theory]
    [InlineData("https://molecule.service.signalr.net")]
    [InlineData("https://molecule.service.signalr.net/")]
    public void ClientUrl_is_the_service_client_endpoint_for_the_hub(string endpoint)
    {
        var publisher = new SignalRServiceEvents(new Uri(endpoint), Hub, credential);

        Assert.Equal("https://molecule.service.signalr.net/client/?hub=canvas", publisher.ClientUrl);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public void ClientUrl_of_the_test_service_uses_its_origin()
    {
        Assert.Equal($"https://127.0.0.1:{service.Endpoint.Port}/client/?hub=canvas", events.ClientUrl);
    }
}
