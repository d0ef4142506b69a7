using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Realtime;

/// <summary>
/// The two SignalR Service data-plane REST routes the publisher uses (<c>:send</c>, <c>:generateToken</c>), over
/// HTTPS on a loopback port with a certificate made for this instance (bearer authentication refuses plain HTTP).
/// Records every request; answers 202 to a send and a fixed token to generateToken unless told to fail.
/// </summary>
public sealed class TestSignalRService : IAsyncDisposable
{
    public const string ClientToken = "client-token-from-service";

    public sealed record Received(string Method, string Path, string RawTarget, IQueryCollection Query, string Authorization, string ContentType, string Body);

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Received> requests = new();
    private readonly ConcurrentQueue<(int Status, int? RetryAfterSeconds)> faults = new();
    private volatile int failAlways;

    public Uri Endpoint { get; }
    public X509Certificate2 Certificate { get; }
    public IReadOnlyList<Received> Requests => requests.ToArray();

    private TestSignalRService(WebApplication app, X509Certificate2 certificate, Uri endpoint)
    {
        this.app = app;
        Certificate = certificate;
        Endpoint = endpoint;
    }

    public static async Task<TestSignalRService> StartAsync()
    {
        var certificate = TestTls.CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        TestSignalRService? service = null;
        app.Run(context => service!.HandleAsync(context));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        service = new TestSignalRService(app, certificate, new Uri($"https://127.0.0.1:{port}"));
        return service;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> (with Retry-After if given).</summary>
    public void FailNext(int count, int status, int? retryAfterSeconds = null)
    {
        for (var i = 0; i < count; i++) faults.Enqueue((status, retryAfterSeconds));
    }

    /// <summary>Every request from now on answers <paramref name="status"/>.</summary>
    public void FailAlways(int status) => failAlways = status;

    /// <summary>An HTTP transport that trusts exactly this server's certificate.</summary>
    public HttpClientTransport CreateTransport()
        => TestTls.PinnedTransport(Certificate);

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "";
        requests.Enqueue(new Received(context.Request.Method, path, context.Features.Get<IHttpRequestFeature>()!.RawTarget,
            context.Request.Query, context.Request.Headers.Authorization.ToString(), context.Request.ContentType ?? "", body));

        int? status = failAlways != 0 ? failAlways : null;
        int? retryAfter = null;
        if (status is null && faults.TryDequeue(out var fault)) (status, retryAfter) = (fault.Status, fault.RetryAfterSeconds);
        if (status is { } failing)
        {
            context.Response.StatusCode = failing;
            if (retryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString();
            await context.Response.WriteAsJsonAsync(new { code = "Injected", message = "injected fault" });
            return;
        }

        if (context.Request.Method == "POST" && path.EndsWith("/:send", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 202;
            return;
        }
        if (context.Request.Method == "POST" && path.EndsWith("/:generateToken", StringComparison.Ordinal))
        {
            await context.Response.WriteAsJsonAsync(new { token = ClientToken });
            return;
        }
        context.Response.StatusCode = 404;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

}
