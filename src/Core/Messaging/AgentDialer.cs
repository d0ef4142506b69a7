using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Molecule.Core.Api;
using Molecule.Core.Network;

namespace Molecule.Core.Messaging;

/// <summary>What a push dial came to: the response for the caller, and what the activity row records.</summary>
public sealed record DialOutcome(ApiResult Response, bool IsSuccess, string? Error, long DurationMs, byte[]? AgentJson);

/// <summary>
/// POSTs a normalised A2A body to an agent (§3.8.4): Content-Length (never chunked), only the headers the
/// contract lists, never Authorization or cookies; response capped at 10 MiB; the whole exchange bounded.
/// </summary>
public sealed class AgentDialer(SafeDialer dialer)
{
    public const int MaxResponse = 10 * 1024 * 1024;
    private static readonly string[] Forwarded = ["A2A-Version", "A2A-Extensions", "traceparent", "tracestate"];
    private static readonly string UserAgent = "MoleculeServerless/" +
        (typeof(AgentDialer).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0");

    public async Task<DialOutcome> DialAsync(string url, byte[] body, string sourceWorkspace, IHeaderDictionary callerHeaders, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        DialOutcome Fail(int status, string error) => new(ApiResult.Error(status, error), false, error, clock.ElapsedMilliseconds, null);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Content.Headers.ContentLength = body.Length;
            foreach (var name in Forwarded)
                if (callerHeaders.TryGetValue(name, out var value) && value.Count > 0) request.Headers.TryAddWithoutValidation(name, value.ToString());
            request.Headers.TryAddWithoutValidation("X-Source-Workspace-Id", sourceWorkspace);
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);

            using var response = await dialer.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            var bytes = await ReadCappedAsync(response, deadline.Token);
            if (bytes is null) return Fail(502, "agent response too large");
            var elapsed = clock.ElapsedMilliseconds;
            if (status is < 200 or (>= 300 and < 400)) return Fail(502, $"agent returned {status}");
            if (status >= 400)
            {
                var error = $"agent returned {status}";
                var agentError = AgentError(bytes);
                return new DialOutcome(ApiResult.Error(status, error, extra: agentError is null ? null : b => b["agent_error"] = agentError),
                    false, error, elapsed, IsJson(bytes) ? bytes : null);
            }
            if (bytes.Length > 0 && !IsJson(bytes)) return Fail(502, "agent returned a non-JSON response");
            return new DialOutcome(ApiResult.Raw(status, bytes, "application/json"), true, null, elapsed, bytes);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fail(504, "workspace agent timed out");
        }
        catch (HttpRequestException e) when (e.InnerException is BlockedAddressException || e.InnerException?.InnerException is BlockedAddressException)
        {
            return Fail(502, "workspace URL is not publicly routable");
        }
        catch (HttpRequestException)
        {
            return Fail(502, "failed to reach workspace agent");
        }
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is > MaxResponse) return null;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxResponse) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static bool IsJson(byte[] bytes)
    {
        try
        {
            using var _ = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException) { return false; }
    }

    private static string? AgentError(byte[] bytes)
    {
        try
        {
            if (JsonNode.Parse(bytes) is JsonObject o && o["error"] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                var text = v.GetValue<string>();
                return text.Length <= 1024 ? text : text[..1024];
            }
        }
        catch (JsonException) { }
        return null;
    }
}
