using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Platform;

/// <summary>Behaviour that depends on settings: no admin token, org pinning, CORS origins, rate limits.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Without_an_admin_token_admin_routes_answer_503_and_nothing_is_open()
    {
        await using var platform = await TestPlatform.StartAsync(adminToken: null);

        var list = await platform.SendAsync(HttpMethod.Get, "/workspaces");
        var create = await platform.SendAsync(HttpMethod.Post, "/workspaces", new { name = "x" }, bearer: "anything");
        var delete = await platform.SendAsync(HttpMethod.Delete, $"/workspaces/{Guid.NewGuid()}");
        var ownRoute = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{Guid.NewGuid()}", bearer: "anything");

        list.AssertError(503, "admin token not configured", code: "admin_not_configured");
        create.AssertError(503, "admin token not configured", code: "admin_not_configured");
        delete.AssertError(503, "admin token not configured", code: "admin_not_configured");
        ownRoute.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task Without_an_admin_token_workspace_tokens_keep_working()
    {
        string id, token;
        await using (var withAdmin = await TestPlatform.StartAsync())
        {
            var created = await withAdmin.CreateWorkspaceAsync("survivor", issueToken: true);
            (id, token) = (created["id"]!.GetValue<string>(), created["connect"]!["auth_token"]!.GetValue<string>());
        }
        await using var platform = await TestPlatform.StartAsync(adminToken: null);

        var response = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{id}", bearer: token);

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Org_pinning_hides_every_route_but_the_exempt_ones_behind_a_plain_404()
    {
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:OrgId"] = "org-42" });
        var pinned = new Dictionary<string, string> { ["X-Molecule-Org-Id"] = "org-42" };
        var wrong = new Dictionary<string, string> { ["X-Molecule-Org-Id"] = "org-41" };

        var missing = await platform.SendAsync(HttpMethod.Get, "/workspaces", bearer: platform.AdminToken);
        var different = await platform.SendAsync(HttpMethod.Get, "/workspaces", bearer: platform.AdminToken, headers: wrong);
        var matching = await platform.SendAsync(HttpMethod.Get, "/workspaces", bearer: platform.AdminToken, headers: pinned);
        var badIdWithoutOrg = await platform.SendAsync(HttpMethod.Get, "/workspaces/not-a-uuid");
        var health = await platform.SendAsync(HttpMethod.Get, "/health");

        missing.AssertError(404, "not found");
        different.AssertError(404, "not found");
        badIdWithoutOrg.AssertError(404, "not found");
        Assert.Equal(200, matching.Status);
        Assert.Equal(200, health.Status);
    }

    [Fact]
    public async Task Org_pinning_adds_org_id_to_the_connect_snippets()
    {
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:OrgId"] = "org-42" });

        var response = await platform.SendAsync(HttpMethod.Post, "/workspaces", new { name = "pinned" }, platform.AdminToken,
            new Dictionary<string, string> { ["X-Molecule-Org-Id"] = "org-42" });

        Assert.Contains("    org_id=\"org-42\",\n", response.Json!["connect"]!["python_snippet"]!.GetValue<string>());
        Assert.Contains("-H \"X-Molecule-Org-Id: org-42\"", response.Json!["connect"]!["curl_snippet"]!.GetValue<string>());
    }

    [Fact]
    public async Task Configured_origins_get_CORS_headers_and_preflights()
    {
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?>
        {
            ["Molecule:CorsAllowedOrigins"] = "https://canvas.example.com, https://other.example.com",
        });

        var simple = await platform.SendAsync(HttpMethod.Get, "/health", headers: new Dictionary<string, string> { ["Origin"] = "HTTPS://Canvas.Example.com" });
        var preflight = await platform.SendAsync(HttpMethod.Options, "/workspaces", headers: new Dictionary<string, string>
        {
            ["Origin"] = "https://canvas.example.com", ["Access-Control-Request-Method"] = "POST",
        });
        var stranger = await platform.SendAsync(HttpMethod.Get, "/health", headers: new Dictionary<string, string> { ["Origin"] = "https://evil.example.com" });

        Assert.Equal("HTTPS://Canvas.Example.com", simple.Header("Access-Control-Allow-Origin"));
        Assert.Equal("Origin", simple.Header("Vary"));
        Assert.Equal("Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, ETag, Content-Disposition, X-Plugin-Name, X-Plugin-Source, X-Request-Id",
            simple.Header("Access-Control-Expose-Headers"));
        Assert.Equal(204, preflight.Status);
        Assert.Equal("", preflight.Text);
        Assert.Equal("GET, POST, PUT, PATCH, DELETE, OPTIONS", preflight.Header("Access-Control-Allow-Methods"));
        Assert.Equal("Authorization, Content-Type, X-Workspace-ID, X-Molecule-Org-Id, X-Timeout, A2A-Version, A2A-Extensions, traceparent, tracestate, If-None-Match",
            preflight.Header("Access-Control-Allow-Headers"));
        Assert.Equal("600", preflight.Header("Access-Control-Max-Age"));
        Assert.Equal(200, stranger.Status);
        Assert.Null(stranger.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Rate_limits_count_per_credential_and_answer_429_with_Retry_After()
    {
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "3" });

        var responses = new List<ApiResponse>();
        for (var i = 0; i < 4; i++) responses.Add(await platform.SendAsync(HttpMethod.Get, "/workspaces", bearer: platform.AdminToken));
        var anonymous = await platform.SendAsync(HttpMethod.Get, "/workspaces");
        var health = await platform.SendAsync(HttpMethod.Get, "/health");

        Assert.Equal(new[] { 200, 200, 200, 429 }, responses.Select(r => r.Status));
        Assert.Equal(new[] { "2", "1", "0", "0" }, responses.Select(r => r.Header("X-RateLimit-Remaining")));
        Assert.All(responses, r => Assert.Equal("3", r.Header("X-RateLimit-Limit")));
        var limited = responses[3];
        var retryAfter = int.Parse(limited.Header("Retry-After")!);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(retryAfter.ToString(), limited.Header("X-RateLimit-Reset"));
        ApiClient.AssertJson(System.Text.Json.Nodes.JsonNode.Parse($$"""{"error":"rate limit exceeded","code":"rate_limited","retry_after":{{retryAfter}}}"""), limited.Json);
        Assert.Equal(401, anonymous.Status); // the client IP has its own bucket
        Assert.Equal("2", anonymous.Header("X-RateLimit-Remaining"));
        Assert.Equal(200, health.Status);
        Assert.Null(health.Header("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task Random_bearer_values_share_the_client_IP_bucket()
    {
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:RateLimitPerMinute"] = "2" });

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
            statuses.Add((await platform.SendAsync(HttpMethod.Get, "/workspaces", bearer: $"random-{Guid.NewGuid()}")).Status);

        Assert.Equal(new[] { 401, 401, 429 }, statuses);
    }

    [Fact]
    public async Task PublicBaseUrl_builds_the_connect_platform_url()
    {
        await using var platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:PublicBaseUrl"] = "https://molecule.example.com" });

        var created = await platform.CreateWorkspaceAsync("based");

        Assert.Equal("https://molecule.example.com", created["connect"]!["platform_url"]!.GetValue<string>());
    }
}
