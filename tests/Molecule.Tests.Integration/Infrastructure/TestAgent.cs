using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Molecule.LocalHost;

namespace Molecule.Tests.Integration.Infrastructure;

/// <summary>A real agent on loopback that the proxy dials: records what it receives and answers as told.</summary>
public sealed class TestAgent : IAsyncDisposable
{
    public sealed record Received(string Method, string Path, Dictionary<string, string> Headers, string Body, long? ContentLength, bool Chunked);

    private readonly WebApplication app;
    public ConcurrentQueue<Received> Requests { get; } = new();
    public Func<HttpContext, Task> Respond { get; set; } = context => Json(context, 200, """{"jsonrpc":"2.0","id":"1","result":{"ok":true}}""");
    public string Url { get; }

    private TestAgent(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public static async Task<TestAgent> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        TestAgent? agent = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            agent!.Requests.Enqueue(new Received(context.Request.Method, context.Request.Path.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body, context.Request.ContentLength, context.Request.Headers.TransferEncoding.ToString().Contains("chunked")));
            await agent.Respond(context);
        });
        await app.StartAsync();
        agent = new TestAgent(app, app.Addresses().First() + "/a2a/inbound");
        return agent;
    }

    public static async Task Json(HttpContext context, int status, string body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
