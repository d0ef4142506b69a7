using System.Text.Json.Nodes;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Platform;

/// <summary>Contract §0: errors, unknown routes, security headers, request ids, health.</summary>
public sealed class CrossCuttingTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static readonly Dictionary<string, string> SecurityHeaders = new()
    {
        ["X-Content-Type-Options"] = "nosniff",
        ["X-Frame-Options"] = "DENY",
        ["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains",
        ["Referrer-Policy"] = "strict-origin-when-cross-origin",
        ["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()",
        ["Content-Security-Policy"] = "default-src 'self'",
    };

    [Fact]
    public async Task Health_answers_ok_and_the_version_only()
    {
        var response = await platform.SendAsync(HttpMethod.Get, "/health");

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal(2, response.Object.Count);
        Assert.Equal("ok", response["status"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", response["version"]!);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/api/workspaces")]
    [InlineData("/workspaces/3f0c8d2e-5b1a-4c6e-9f7d-2a1b3c4d5e6f/unknown-thing")]
    [InlineData("/admin/host/status")]
    public async Task Unknown_paths_answer_a_JSON_404(string path)
    {
        var response = await platform.SendAsync(HttpMethod.Get, path);

        response.AssertError(404, "not found");
    }

    [Theory]
    [InlineData("PUT", "/workspaces", "GET, POST")]
    [InlineData("DELETE", "/health", "GET")]
    [InlineData("POST", "/workspaces/3f0c8d2e-5b1a-4c6e-9f7d-2a1b3c4d5e6f", "DELETE, GET, PATCH")]
    [InlineData("GET", "/workspaces/3f0c8d2e-5b1a-4c6e-9f7d-2a1b3c4d5e6f/pause", "POST")]
    public async Task A_known_path_with_another_method_answers_405_with_Allow(string method, string path, string allow)
    {
        var response = await platform.SendAsync(new HttpMethod(method), path, bearer: platform.AdminToken);

        response.AssertError(405, "method not allowed");
        Assert.Equal(allow, response.Header("Allow"));
    }

    public static TheoryData<string, string, string?> EveryKindOfResponse => new()
    {
        { "GET", "/health", null },                   // 200
        { "GET", "/nope", null },                     // 404
        { "PUT", "/workspaces", null },               // 405
        { "GET", "/workspaces", null },               // 401
        { "GET", "/workspaces/not-a-uuid", null },    // 400
        { "POST", "/workspaces", "big" },             // 413
    };

    [Theory]
    [MemberData(nameof(EveryKindOfResponse))]
    public async Task Every_response_carries_the_security_headers_a_request_id_and_no_store(string method, string path, string? body)
    {
        var response = await platform.SendAsync(new HttpMethod(method), path,
            rawBody: body is null ? null : $$"""{"name":"{{new string('x', 70_000)}}"}""",
            bearer: body is null ? null : platform.AdminToken);

        foreach (var (name, value) in SecurityHeaders) Assert.Equal(value, response.Header(name));
        Assert.Matches("^[0-9a-f-]{36}$", response.Header("X-Request-Id")!);
        Assert.Equal("no-store", response.Header("Cache-Control"));
    }

    [Fact]
    public async Task Request_ids_differ_per_request()
    {
        var a = await platform.SendAsync(HttpMethod.Get, "/health");
        var b = await platform.SendAsync(HttpMethod.Get, "/health");

        Assert.NotEqual(a.Header("X-Request-Id"), b.Header("X-Request-Id"));
    }

    [Fact]
    public async Task Without_configured_origins_no_CORS_headers_are_sent_and_Origin_never_rejects()
    {
        var response = await platform.SendAsync(HttpMethod.Get, "/workspaces", bearer: platform.AdminToken,
            headers: new Dictionary<string, string> { ["Origin"] = platform.BaseAddress.ToString().TrimEnd('/') });

        Assert.Equal(200, response.Status);
        Assert.Null(response.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_preflight_from_an_unconfigured_origin_answers_403()
    {
        var response = await platform.SendAsync(HttpMethod.Options, "/workspaces", headers: new Dictionary<string, string>
        {
            ["Origin"] = "https://evil.example.com", ["Access-Control-Request-Method"] = "POST",
        });

        response.AssertError(403, "origin not allowed");
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    [InlineData("Token abc")]
    public async Task A_malformed_Authorization_header_counts_as_no_credential(string header)
    {
        var admin = await platform.SendAsync(HttpMethod.Get, "/workspaces", authorization: header);
        var own = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{Guid.NewGuid()}", authorization: header);

        admin.AssertError(401, "admin auth required");
        own.AssertError(401, "missing workspace auth token");
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public async Task The_bearer_scheme_is_case_insensitive_and_the_credential_trimmed(string scheme)
    {
        var response = await platform.SendAsync(HttpMethod.Get, "/workspaces", authorization: $"{scheme}   {platform.AdminToken}  ");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task A_wrong_admin_token_answers_401_invalid()
    {
        var response = await platform.SendAsync(HttpMethod.Get, "/workspaces", bearer: platform.AdminToken + "x");

        response.AssertError(401, "invalid admin auth token");
    }

    [Fact]
    public async Task Errors_never_contain_exception_text()
    {
        var responses = new[]
        {
            await platform.SendAsync(HttpMethod.Post, "/workspaces", rawBody: "{\"name\": tru", bearer: platform.AdminToken),
            await platform.SendAsync(HttpMethod.Post, "/workspaces", rawBody: "{\"tier\": 99999999999999999999999}", bearer: platform.AdminToken),
        };

        foreach (var r in responses)
        {
            Assert.Equal(400, r.Status);
            Assert.DoesNotContain("Exception", r.Text);
            Assert.DoesNotContain("   at ", r.Text);
            Assert.True(r.Object.Count <= 2, r.Text);
        }
    }
}
