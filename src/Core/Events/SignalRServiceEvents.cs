using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Molecule.Core.Api;

namespace Molecule.Core.Events;

/// <summary>Pipeline settings for <see cref="SignalRServiceEvents"/>: production retry defaults; tests swap the transport.</summary>
public sealed class SignalRServiceEventsOptions : ClientOptions
{
    public SignalRServiceEventsOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromMilliseconds(500);
        Retry.MaxDelay = TimeSpan.FromSeconds(4);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}

/// <summary>
/// Canvas events (contract §4) through the Azure SignalR Service data-plane REST API (api-version 2022-11-01),
/// authenticated with a token credential (managed identity; no access keys). It exists because
/// Microsoft.Azure.SignalR.Management is not served here: an Azure.Core pipeline gives the same bearer
/// authentication and retries (408/429/500/502/503/504, Retry-After honoured) without it.
/// </summary>
public sealed class SignalRServiceEvents : ICanvasEvents
{
    public const string Scope = "https://signalr.azure.com/.default";
    private const string ApiVersion = "2022-11-01";
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = ApiJson.Options.Encoder };

    private readonly HttpPipeline pipeline;
    private readonly string hubUrl;

    public SignalRServiceEvents(Uri endpoint, string hub, TokenCredential credential, SignalRServiceEventsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(hub);
        ArgumentNullException.ThrowIfNull(credential);
        var origin = endpoint.AbsoluteUri.TrimEnd('/');
        var escapedHub = Uri.EscapeDataString(hub);
        hubUrl = $"{origin}/api/hubs/{escapedHub}";
        ClientUrl = $"{origin}/client/?hub={escapedHub}";
        pipeline = HttpPipelineBuilder.Build(options ?? new SignalRServiceEventsOptions(), new BearerTokenAuthenticationPolicy(credential, Scope));
    }

    /// <summary>The client endpoint of the negotiate response (contract §3.1).</summary>
    public string ClientUrl { get; }

    /// <summary>Broadcasts the envelope on hub method <c>event</c>; throws when the service refuses it after retries.</summary>
    public async Task PublishAsync(CanvasEvent canvasEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canvasEvent);
        using var message = CreatePost($"{hubUrl}/:send?api-version={ApiVersion}");
        message.Request.Headers.SetValue(HttpHeader.Names.ContentType, "application/json");
        message.Request.Content = RequestContent.Create(SendBody(canvasEvent));
        await pipeline.SendAsync(message, cancellationToken);
        if (message.Response.IsError) throw new RequestFailedException(message.Response);
    }

    /// <summary>A client access token for the hub, valid for <paramref name="lifetime"/> (rounded up to whole minutes).</summary>
    public async Task<string> GenerateClientTokenAsync(TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var minutes = (int)Math.Ceiling(lifetime.TotalMinutes);
        using var message = CreatePost(
            $"{hubUrl}/:generateToken?api-version={ApiVersion}&minutesToExpire={minutes.ToString(CultureInfo.InvariantCulture)}");
        await pipeline.SendAsync(message, cancellationToken);
        if (message.Response.IsError) throw new RequestFailedException(message.Response);
        using var document = JsonDocument.Parse(message.Response.Content);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("token", out var token)
            && token.ValueKind == JsonValueKind.String
            && token.GetString() is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("generateToken answered without a token");
    }

    private HttpMessage CreatePost(string url)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(url));
        message.Request.Headers.SetValue(HttpHeader.Names.Accept, "application/json");
        return message;
    }

    private static byte[] SendBody(CanvasEvent canvasEvent)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("target", "event");
            writer.WriteStartArray("arguments");
            writer.WriteStartObject();
            writer.WriteString("event", canvasEvent.Event);
            writer.WriteString("workspace_id", canvasEvent.WorkspaceId);
            writer.WriteString("timestamp", ApiJson.Timestamp(canvasEvent.Timestamp));
            writer.WritePropertyName("payload");
            canvasEvent.Payload.WriteTo(writer, ApiJson.Options);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
