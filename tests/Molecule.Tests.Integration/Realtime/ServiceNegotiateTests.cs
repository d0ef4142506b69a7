using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.KeyVault;

namespace Molecule.Tests.Integration.Realtime;

/// <summary>
/// POST /realtime/negotiate as it runs in Azure: the negotiator asks SignalR Service (here the HTTPS test
/// service) for a client token and answers the service's client URL — the redirect the browser client follows.
/// </summary>
public sealed class ServiceNegotiateTests : IAsyncLifetime
{
    private TestSignalRService service = null!;
    private TestPlatform platform = null!;

    public async Task InitializeAsync()
    {
        service = await TestSignalRService.StartAsync();
        var publisher = new SignalRServiceEvents(service.Endpoint, "canvas", new FakeTokenCredential(),
            new SignalRServiceEventsOptions { Transport = service.CreateTransport() });
        platform = await TestPlatform.StartAsync(services: s => s.Replace(ServiceDescriptor.Singleton<IRealtimeNegotiator>(new SignalRServiceNegotiator(publisher))));
    }

    public async Task DisposeAsync()
    {
        await platform.DisposeAsync();
        await service.DisposeAsync();
    }

    [Fact]
    public async Task Negotiate_redirects_the_canvas_to_the_service_with_a_service_issued_token()
    {
        var response = await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate?negotiateVersion=1", bearer: platform.AdminToken);

        Assert.Equal(200, response.Status);
        Assert.Equal(new[] { "url", "accessToken" }, response.Object.Select(p => p.Key));
        Assert.Equal($"https://127.0.0.1:{service.Endpoint.Port}/client/?hub=canvas", response["url"]);
        Assert.Equal(TestSignalRService.ClientToken, response["accessToken"]);
        var request = Assert.Single(service.Requests);
        Assert.Equal("/api/hubs/canvas/:generateToken", request.Path);
        Assert.Equal("60", request.Query["minutesToExpire"].ToString());
    }

    [Fact]
    public async Task A_service_that_refuses_the_token_request_is_a_503_without_its_details()
    {
        service.FailAlways(403);

        var response = await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate?negotiateVersion=1", bearer: platform.AdminToken);

        Assert.Equal(503, response.Status);
        Assert.NotNull(response["error"]);
        Assert.DoesNotContain("403", response.Text);
    }

    [Fact]
    public async Task Negotiate_stays_admin_only_in_service_mode()
    {
        var response = await platform.SendAsync(HttpMethod.Post, "/realtime/negotiate");

        response.AssertError(401, "admin auth required");
        Assert.Empty(service.Requests);
    }
}
