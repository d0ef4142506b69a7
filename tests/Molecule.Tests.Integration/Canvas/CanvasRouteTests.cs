using System.Net;
using Molecule.Functions;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Canvas;

/// <summary>The canvas page routes (§3.1): redirect, page, assets, CSP (§0.5), and their exemptions (§0.7, §0.8).</summary>
public sealed class CanvasRouteTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private const string LocalCsp =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:";

    [Fact]
    public async Task The_root_redirects_to_the_canvas()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = platform.BaseAddress };

        using var response = await http.GetAsync("/");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/canvas", response.Headers.Location?.OriginalString);
        Assert.Equal(LocalCsp, string.Join(", ", response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task The_canvas_page_is_html_with_the_canvas_CSP()
    {
        var response = await platform.SendAsync(HttpMethod.Get, "/canvas");

        Assert.Equal(200, response.Status);
        Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal(LocalCsp, response.Header("Content-Security-Policy"));
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal("DENY", response.Header("X-Frame-Options"));
        Assert.Contains("id=\"admin-token\"", response.Text);
        Assert.Contains("<script src=\"/canvas/vendor/signalr.min.js\"></script>", response.Text);
        // script-src 'self': the page has no inline script or inline event handler
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", response.Text);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", response.Text);
    }

    [Fact]
    public async Task With_SignalR_Service_configured_connect_src_names_its_https_and_wss_origins()
    {
        await using var azure = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:SignalREndpoint"] = "https://x.service.signalr.net" });

        var response = await azure.SendAsync(HttpMethod.Get, "/canvas");

        Assert.Equal(200, response.Status);
        Assert.Equal(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' https://x.service.signalr.net wss://x.service.signalr.net; font-src 'self' data:",
            response.Header("Content-Security-Policy"));
        Assert.Equal(response.Header("Content-Security-Policy"), CanvasAssets.ContentSecurityPolicy("https://x.service.signalr.net"));
    }

    [Theory]
    [InlineData("/canvas/index.html", "text/html; charset=utf-8")]
    [InlineData("/canvas/canvas.css", "text/css; charset=utf-8")]
    [InlineData("/canvas/js/app.js", "text/javascript; charset=utf-8")]
    [InlineData("/canvas/js/api.js", "text/javascript; charset=utf-8")]
    [InlineData("/canvas/js/realtime.js", "text/javascript; charset=utf-8")]
    [InlineData("/canvas/vendor/signalr.min.js", "text/javascript; charset=utf-8")]
    public async Task Assets_are_served_with_their_content_type_and_the_canvas_CSP(string path, string contentType)
    {
        var response = await platform.SendAsync(HttpMethod.Get, path);

        Assert.Equal(200, response.Status);
        Assert.Equal(contentType, response.Header("Content-Type"));
        Assert.Equal(LocalCsp, response.Header("Content-Security-Policy"));
        Assert.NotEmpty(response.Text);
    }

    [Fact]
    public async Task The_hooks_document_is_not_served()
    {
        (await platform.SendAsync(HttpMethod.Get, "/canvas/HOOKS.md")).AssertError(404, "not found");
    }

    [Fact]
    public async Task An_unknown_asset_is_a_JSON_404()
    {
        var response = await platform.SendAsync(HttpMethod.Get, "/canvas/nope.js");

        response.AssertError(404, "not found");
        Assert.StartsWith("application/json", response.Header("Content-Type"));
    }

    [Fact]
    public async Task Canvas_routes_are_not_rate_limited()
    {
        foreach (var path in new[] { "/canvas", "/canvas/js/app.js", "/" })
        {
            var response = await platform.SendAsync(HttpMethod.Get, path);
            Assert.Null(response.Header("X-RateLimit-Limit"));
            Assert.Null(response.Header("X-RateLimit-Remaining"));
            Assert.Null(response.Header("X-RateLimit-Reset"));
        }
        Assert.NotNull((await platform.AdminAsync(HttpMethod.Get, "/workspaces")).Header("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task Canvas_routes_are_exempt_from_org_pinning()
    {
        await using var pinned = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["Molecule:OrgId"] = "org-canvas" });

        var page = await pinned.SendAsync(HttpMethod.Get, "/canvas");
        var asset = await pinned.SendAsync(HttpMethod.Get, "/canvas/js/app.js");
        var api = await pinned.AdminAsync(HttpMethod.Get, "/workspaces");

        Assert.Equal(200, page.Status);
        Assert.Equal(200, asset.Status);
        api.AssertError(404, "not found"); // the API itself still needs the header
    }
}
