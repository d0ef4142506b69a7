using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;
using static Molecule.Tests.Integration.Canvas.CanvasPage;

namespace Molecule.Tests.Integration.Canvas;

/// <summary>
/// A small organisation with agents in every state, at a wide and a narrow width, driven from the keyboard.
/// Its own Azurite (the sweep runs, with a clock that starts in the past) so only these workspaces show.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CanvasShowcaseTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow.AddSeconds(-100));
    private AzuriteProcess storage = null!;
    private TestPlatform platform = null!;
    private TestAgent agentServer = null!;

    public async Task InitializeAsync()
    {
        storage = AzuriteProcess.Start();
        platform = await TestPlatform.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString },
            services: s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        agentServer = await TestAgent.StartAsync();
        agentServer.Respond = context => TestAgent.Json(context, 200, """
            {"jsonrpc":"2.0","id":"1","result":{"kind":"message","role":"agent","messageId":"m1",
             "parts":[{"kind":"text","text":"Three sources found; summary drafted in notes/market.md."}]}}
            """);
    }

    public async Task DisposeAsync()
    {
        await agentServer.DisposeAsync();
        await platform.DisposeAsync();
        storage.Dispose();
    }

    private static JsonObject V03Card(string name, string description, params (string Skill, string[] Tags)[] skills) => new()
    {
        ["name"] = name, ["description"] = description, ["version"] = "0.9.2", ["url"] = "https://agents.example.com/" + name,
        ["protocolVersion"] = "0.3.0", ["preferredTransport"] = "JSONRPC",
        ["capabilities"] = new JsonObject { ["streaming"] = false, ["pushNotifications"] = true },
        ["skills"] = new JsonArray(skills.Select(s => (JsonNode)new JsonObject
            { ["id"] = s.Skill, ["name"] = s.Skill, ["tags"] = new JsonArray(s.Tags.Select(t => (JsonNode)t).ToArray()) }).ToArray()),
    };

    private static JsonObject V10Card(string name, string description, params (string Skill, string[] Tags)[] skills) => new()
    {
        ["name"] = name, ["description"] = description, ["version"] = "1.2.0",
        ["supportedInterfaces"] = new JsonArray(new JsonObject { ["url"] = "https://agents.example.com/" + name, ["protocolBinding"] = "JSONRPC", ["protocolVersion"] = "1.0" }),
        ["capabilities"] = new JsonObject { ["streaming"] = true, ["extendedAgentCard"] = true },
        ["skills"] = new JsonArray(skills.Select(s => (JsonNode)new JsonObject
            { ["id"] = s.Skill, ["name"] = s.Skill, ["tags"] = new JsonArray(s.Tags.Select(t => (JsonNode)t).ToArray()) }).ToArray()),
    };

    private async Task<Agent> OnlineAsync(string name, string? parent, JsonObject card, string role = "", string url = RegistryApi.RemoteUrl,
        string task = "", int active = 0, double errorRate = 0, string sampleError = "")
    {
        var created = await platform.CreateWorkspaceAsync(name, parent, issueToken: true, extra: new { role });
        var agent = new Agent(RegistryApi.Id(created), created["connect"]!["auth_token"]!.GetValue<string>());
        (await platform.RegisterAsync(agent.Id, agent.Token, url: url, card: card)).AssertStatus(200);
        (await platform.HeartbeatAsync(agent.Id, agent.Token, errorRate: errorRate, currentTask: task, activeTasks: active, sampleError: sampleError)).AssertStatus(200);
        return agent;
    }

    [Fact]
    public async Task An_organisation_in_every_state_reads_well_at_1280_and_800_pixels_and_works_from_the_keyboard()
    {
        var batch = await OnlineAsync("nightly-batch", null, V03Card("nightly-batch", "Re-indexes the warehouse every night", ("reindex", ["etl"])), role: "batch jobs");
        clock.Advance(TimeSpan.FromSeconds(91));
        await platform.Services.GetRequiredService<TimerFunctions>().RunAsync("OfflineSweep", CancellationToken.None);
        var lead = await OnlineAsync("orchestrator", null,
            V03Card("orchestrator", "Breaks goals into tasks and routes them", ("plan", ["planning", "routing"]), ("report", ["summaries"])),
            role: "coordinator", task: "Q3 market review", active: 2);
        var researcher = await OnlineAsync("researcher", lead.Id,
            V10Card("researcher", "Finds and summarises sources on the web", ("search", ["web", "citations"]), ("summarise", ["writing"])),
            role: "research", url: agentServer.Url, task: "collecting competitor pricing", active: 1);
        var coder = await OnlineAsync("coder", lead.Id, RegistryApi.Card("coder"), role: "engineering", task: "fixing flaky build",
            active: 1, errorRate: 0.6, sampleError: "pytest: 3 failed");
        var reviewer = await OnlineAsync("reviewer", lead.Id, RegistryApi.Card("reviewer"), role: "code review");
        await platform.PauseAsync(reviewer.Id);
        var hosted = RegistryApi.Id(await platform.CreateWorkspaceAsync("support-bot", extra: new { role = "customer support", runtime = "hosted" }));
        clock.Advance(TimeSpan.FromSeconds(8));

        await using var canvas = await browser.OpenAsync(platform, nameof(An_organisation_in_every_state_reads_well_at_1280_and_800_pixels_and_works_from_the_keyboard));
        await canvas.SignInLiveAsync();

        var expected = new (string Id, string Status, string Label, bool Remote)[]
        {
            (batch.Id, "offline", "Offline", true), (lead.Id, "online", "Online", true), (researcher.Id, "online", "Online", true),
            (coder.Id, "degraded", "Degraded", true), (reviewer.Id, "paused", "Paused", true), (hosted, "awaiting_agent", "Awaiting agent", false),
        };
        foreach (var (id, status, label, remote) in expected)
        {
            await Expect(canvas.Node(id)).ToHaveAttributeAsync("data-status", status);
            await Expect(canvas.NodeField(id, ".status-label")).ToHaveTextAsync(label);
            if (remote) await Expect(canvas.NodeField(id, ".remote-badge")).ToHaveTextAsync("REMOTE");
            else await Expect(canvas.NodeField(id, ".remote-badge")).ToBeHiddenAsync();
        }
        await Expect(canvas.Locator($"li[data-workspace-id=\"{lead.Id}\"] li[data-workspace-id=\"{coder.Id}\"]")).ToHaveCountAsync(1);
        await Expect(canvas.NodeField(coder.Id, ".error-rate")).ToHaveTextAsync("60%");
        await Expect(canvas.NodeField(lead.Id, ".node-card")).ToContainTextAsync("A2A v0.3");
        await Expect(canvas.NodeField(researcher.Id, ".node-card")).ToContainTextAsync("A2A v1.0");

        // keyboard: Tab into the tree, arrow down to the researcher, Enter selects it
        await canvas.Node(batch.Id).FocusAsync();
        for (var i = 0; i < 10 && await canvas.Page.EvaluateAsync<string?>("document.activeElement.dataset.workspaceId") != researcher.Id; i++)
            await canvas.Page.Keyboard.PressAsync("ArrowDown");
        await canvas.Page.Keyboard.PressAsync("Enter");
        await Expect(canvas.Locator("#detail")).ToHaveAttributeAsync("data-workspace-id", researcher.Id);
        await Expect(canvas.Locator("#detail-card")).ToContainTextAsync("Finds and summarises sources");
        await canvas.Locator("#chat-input").FillAsync("What did you find on competitor pricing?");
        await canvas.Locator("#chat-input").PressAsync("Enter");
        await Expect(canvas.Locator("#chat-log li[data-from=agent]")).ToContainTextAsync("Three sources found");
        await Expect(canvas.Locator("#activity-list li")).Not.ToHaveCountAsync(0);

        // the create dialog keeps focus inside and closes on Escape
        await canvas.Locator("#new-workspace").ClickAsync();
        await Expect(canvas.Locator("#create-name")).ToBeFocusedAsync();
        for (var i = 0; i < 12; i++) await canvas.Page.Keyboard.PressAsync("Tab");
        Assert.True(await canvas.Page.EvaluateAsync<bool>("document.getElementById('create-dialog').contains(document.activeElement)"));
        await canvas.Page.Keyboard.PressAsync("Escape");
        await Expect(canvas.Locator("#create-dialog")).ToBeHiddenAsync();

        // every control has an accessible name
        var unlabelled = await canvas.Page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('input, select, button')].filter(e => {
              if (e.labels && e.labels.length) return false;
              return !(e.getAttribute('aria-label') || e.textContent.trim());
            }).map(e => e.id || e.outerHTML.slice(0, 80))
            """);
        Assert.Empty(unlabelled);

        await canvas.Page.EvaluateAsync("document.activeElement.blur(); window.scrollTo(0, 0)");
        await canvas.Page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath("1280x800") });
        await canvas.ScreenshotAsync();
        await canvas.Page.SetViewportSizeAsync(800, 900);
        await Expect(canvas.NodeField(coder.Id, ".status-label")).ToBeVisibleAsync();
        var overflow = await canvas.Page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow}px at 800px");
        await canvas.ScreenshotAsync("800");
        canvas.AssertNoErrors();
    }

    private static string ScreenshotPath(string suffix) =>
        Path.Combine(RepositoryRoot.Path, "artifacts", "test-results", "screenshots",
            nameof(An_organisation_in_every_state_reads_well_at_1280_and_800_pixels_and_works_from_the_keyboard) + "-" + suffix + ".png");
}
