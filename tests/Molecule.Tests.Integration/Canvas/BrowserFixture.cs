using Microsoft.Playwright;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Canvas;

/// <summary>
/// One headless Debian Chromium (driven by Playwright, never a downloaded browser) shared by the canvas tests;
/// each test opens its own context and page.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("MOLECULE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(CanvasPage.Timeout);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        Playwright.Dispose();
    }

    /// <summary>A fresh context and page on <paramref name="platform"/>'s canvas, not yet signed in.</summary>
    public async Task<CanvasPage> OpenAsync(TestPlatform platform, string testName, int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = platform.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        var page = await context.NewPageAsync();
        var canvas = new CanvasPage(platform, context, page, testName);
        await page.GotoAsync("/canvas");
        return canvas;
    }
}

/// <summary>Every canvas test shares the one browser.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>A canvas page in its own browser context, with the helpers the tests share.</summary>
public sealed class CanvasPage : IAsyncDisposable
{
    public static readonly float Timeout = 15_000;
    private const int MaxScreenshotHeight = 4_000;

    private readonly IBrowserContext context;
    private readonly string testName;

    public TestPlatform Platform { get; }
    public IPage Page { get; }
    /// <summary>Uncaught script errors and console errors of the page (a test fails when there are any).</summary>
    public List<string> Errors { get; } = [];
    /// <summary>Every console line the page wrote (checked for secrets).</summary>
    public List<string> Console { get; } = [];

    public CanvasPage(TestPlatform platform, IBrowserContext context, IPage page, string testName)
    {
        Platform = platform;
        this.context = context;
        Page = page;
        this.testName = testName;
        page.PageError += (_, error) => Errors.Add("page error: " + error);
        page.Console += (_, message) =>
        {
            Console.Add(message.Text);
            // a failed request is logged by the browser itself (e.g. the 401 of a wrong token); script errors are not
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                Errors.Add("console error: " + message.Text);
        };
        page.SetDefaultTimeout(Timeout);
    }

    public ILocator Locator(string selector) => Page.Locator(selector);
    public ILocator Node(string workspaceId) => Page.Locator($"li[data-workspace-id=\"{workspaceId}\"]");
    /// <summary>A field of a workspace node (not of its children's nodes).</summary>
    public ILocator NodeField(string workspaceId, string cls) => Page.Locator($"li[data-workspace-id=\"{workspaceId}\"] > .node-body {cls}");

    public static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    public async Task SignInAsync(string? token = null)
    {
        await Locator("#admin-token").FillAsync(token ?? Platform.AdminToken!);
        await Locator("#sign-in").ClickAsync();
    }

    /// <summary>Signs in and waits until the realtime connection is live.</summary>
    public async Task SignInLiveAsync()
    {
        await SignInAsync();
        await Expect(Locator("#connection")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = Timeout });
    }

    public async Task SelectAsync(string workspaceId)
    {
        await Node(workspaceId).Locator("> .node-body").ClickAsync();
        try
        {
            await Expect(Locator("#detail")).ToHaveAttributeAsync("data-workspace-id", workspaceId, new() { Timeout = 3_000 });
        }
        catch (PlaywrightException)
        {
            // In a full test run other tests' workspaces arrive live and the tree re-lays out; a click aimed at a
            // node can land between Playwright's hit test and the mouse event on whatever moved there (seen once:
            // nothing selected). Select with the keyboard instead, which targets the node itself.
            await Node(workspaceId).PressAsync("Enter");
        }
        await Expect(Locator("#detail")).ToHaveAttributeAsync("data-workspace-id", workspaceId);
    }

    /// <summary>
    /// From now on the page's re-reads of the workspace list fail, so whatever changes on screen afterwards
    /// arrived as a realtime event.
    /// </summary>
    public Task BlockListRefreshAsync() =>
        Page.RouteAsync(url => new Uri(url).AbsolutePath == "/workspaces", route =>
            route.Request.Method == "GET" ? route.AbortAsync() : route.ContinueAsync());

    public async Task ScreenshotAsync(string? suffix = null)
    {
        var directory = Path.Combine(RepositoryRoot.Path, "artifacts", "test-results", "screenshots");
        Directory.CreateDirectory(directory);
        // the whole page, up to a bound: on the shared storage of a full test run the tree holds every test's
        // workspaces, and a page tens of thousands of pixels tall is slow to capture on a busy machine
        var height = await Page.EvaluateAsync<int>("document.documentElement.scrollHeight");
        var width = Page.ViewportSize?.Width ?? 1280;
        await Page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(directory, testName + (suffix is null ? "" : "-" + suffix) + ".png"),
            FullPage = true,
            Clip = new Clip { X = 0, Y = 0, Width = width, Height = Math.Min(height, MaxScreenshotHeight) },
            Timeout = 60_000,
        });
    }

    public void AssertNoErrors() => Assert.True(Errors.Count == 0, "the page reported errors:\n" + string.Join("\n", Errors));

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
