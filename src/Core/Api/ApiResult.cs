using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Molecule.Core.Api;

/// <summary>
/// A response as the contract defines it: status, JSON body, extra headers. It writes itself, so the
/// Functions worker and LocalHost execute exactly the same bytes.
/// </summary>
public sealed class ApiResult : IActionResult
{
    private static readonly byte[] Empty = [];

    public int Status { get; }
    public byte[] Body { get; }
    public string? ContentType { get; }
    public IReadOnlyDictionary<string, string> Headers => headers;

    private readonly Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);

    private ApiResult(int status, byte[] body, string? contentType)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
    }

    public static ApiResult Json<T>(int status, T body) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(body, ApiJson.Options), "application/json; charset=utf-8");

    public static ApiResult Ok<T>(T body) => Json(StatusCodes.Status200OK, body);

    public static ApiResult Raw(int status, byte[] body, string contentType) => new(status, body, contentType);

    public static ApiResult NoBody(int status) => new(status, Empty, null);

    /// <summary>A body written by a callback straight to the response (large downloads never sit in memory).</summary>
    public static ApiResult Streamed(int status, string contentType, long length, Func<Stream, CancellationToken, Task> write) =>
        new(status, Empty, contentType) { streamLength = length, streamWriter = write };

    private Func<Stream, CancellationToken, Task>? streamWriter;
    private long streamLength;

    public static ApiResult Error(int status, string error, string? code = null, string? detail = null, Action<JsonObject>? extra = null)
    {
        var body = new JsonObject { ["error"] = error };
        if (code is not null) body["code"] = code;
        if (detail is not null) body["detail"] = detail;
        extra?.Invoke(body);
        return Json(status, body);
    }

    public ApiResult WithHeader(string name, string value)
    {
        headers[name] = value;
        return this;
    }

    /// <summary>A 2xx status.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = Status;
        foreach (var (name, value) in headers) response.Headers[name] = value;
        if (ContentType is not null) response.ContentType = ContentType;
        if (streamWriter is not null)
        {
            response.ContentLength = streamLength;
            await streamWriter(response.Body, cancellationToken);
            return;
        }
        if (Body.Length > 0 || ContentType is not null)
        {
            response.ContentLength = Body.Length;
            await response.Body.WriteAsync(Body, cancellationToken);
        }
    }

    public Task ExecuteResultAsync(ActionContext context) =>
        WriteAsync(context.HttpContext.Response, context.HttpContext.RequestAborted);
}
