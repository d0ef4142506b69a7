using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Molecule.Tests.Integration.Infrastructure;

/// <summary>A response with its status, headers and JSON body (null when the body is empty or not JSON).</summary>
public sealed record ApiResponse(int Status, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders, string Text)
{
    public JsonNode? Json => Text.Length == 0 ? null : JsonNode.Parse(Text);
    public JsonObject Object => Json!.AsObject();
    public JsonArray Array => Json!.AsArray();
    /// <summary>The header exactly as sent (not re-formatted by HttpClient's typed parsing).</summary>
    public string? Header(string name) =>
        Headers.NonValidated.TryGetValues(name, out var v) ? string.Join(", ", v)
        : ContentHeaders.NonValidated.TryGetValues(name, out var c) ? string.Join(", ", c) : null;

    public string? this[string property] => Json?[property]?.ToString();
}

/// <summary>Thin HTTP helpers over a <see cref="TestPlatform"/>.</summary>
public static class ApiClient
{
    public static async Task<ApiResponse> SendAsync(this TestPlatform platform, HttpMethod method, string path,
        object? body = null, string? bearer = null, IDictionary<string, string>? headers = null, string? rawBody = null, string? authorization = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        else if (bearer is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        if (rawBody is not null) request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        else if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await platform.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse((int)response.StatusCode, response.Headers, response.Content.Headers, text);
    }

    public static Task<ApiResponse> AdminAsync(this TestPlatform platform, HttpMethod method, string path, object? body = null) =>
        platform.SendAsync(method, path, body, platform.AdminToken);

    /// <summary>Creates a workspace as admin and returns its JSON (asserting 201).</summary>
    public static async Task<JsonObject> CreateWorkspaceAsync(this TestPlatform platform, string name = "agent", string? parentId = null,
        bool issueToken = false, object? extra = null)
    {
        var body = new JsonObject { ["name"] = name };
        if (parentId is not null) body["parent_id"] = parentId;
        if (issueToken) body["issue_token"] = true;
        if (extra is not null)
            foreach (var (k, v) in JsonSerializer.SerializeToNode(extra)!.AsObject()) body[k] = v?.DeepClone();
        var response = await platform.AdminAsync(HttpMethod.Post, "/workspaces", body.ToJsonString());
        Assert.True(response.Status == 201, $"create answered {response.Status}: {response.Text}");
        return response.Object;
    }

    /// <summary>Asserts an error response: exact status and the exact JSON body.</summary>
    public static void AssertError(this ApiResponse response, int status, string error, string? detail = null, string? code = null)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Text}");
        var expected = new JsonObject { ["error"] = error };
        if (code is not null) expected["code"] = code;
        if (detail is not null) expected["detail"] = detail;
        AssertJson(expected, response.Json);
    }

    /// <summary>Structural JSON equality with a readable failure.</summary>
    public static void AssertJson(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected?.ToJsonString()}\n  actual {actual?.ToJsonString()}");
}
