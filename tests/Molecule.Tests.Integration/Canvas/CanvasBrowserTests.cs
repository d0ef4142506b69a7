using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;
using static Molecule.Tests.Integration.Canvas.CanvasPage;

namespace Molecule.Tests.Integration.Canvas;

/// <summary>The canvas in headless Chromium against a LocalHost: sign-in, live status, and the admin actions.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CanvasBrowserTests(BrowserFixture browser, PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;
    private static readonly Regex Uuid = new("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..6]}";

    [Fact]
    public async Task Signing_in_with_the_admin_token_shows_the_organisation_live_and_sign_out_forgets_it()
    {
        var name = Unique("signin");
        var id = RegistryApi.Id(await platform.CreateWorkspaceAsync(name));
        await using var canvas = await browser.OpenAsync(platform, nameof(Signing_in_with_the_admin_token_shows_the_organisation_live_and_sign_out_forgets_it));

        await canvas.SignInLiveAsync();

        await Expect(canvas.Locator("#connection")).ToContainTextAsync("Live");
        await Expect(canvas.NodeField(id, ".node-name")).ToHaveTextAsync(name);
        await Expect(canvas.Node(id)).ToHaveAttributeAsync("data-status", "awaiting_agent");
        await Expect(canvas.NodeField(id, ".status-label")).ToHaveTextAsync("Awaiting agent");
        await Expect(canvas.NodeField(id, ".last-heartbeat")).ToHaveTextAsync("never");
        Assert.Equal(platform.AdminToken, await canvas.Page.EvaluateAsync<string>("sessionStorage.getItem('molecule.adminToken')"));
        await canvas.ScreenshotAsync();

        // a reload keeps the session (sessionStorage), sign-out forgets it
        await canvas.Page.ReloadAsync();
        await Expect(canvas.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await canvas.Locator("#sign-out").ClickAsync();
        await Expect(canvas.Locator("#admin-token")).ToBeVisibleAsync();
        Assert.Null(await canvas.Page.EvaluateAsync<string?>("sessionStorage.getItem('molecule.adminToken')"));
        await Expect(canvas.Locator("#tree li")).ToHaveCountAsync(0);
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task A_wrong_admin_token_shows_a_clear_message_and_is_not_kept()
    {
        await using var canvas = await browser.OpenAsync(platform, nameof(A_wrong_admin_token_shows_a_clear_message_and_is_not_kept));

        await canvas.SignInAsync("not-the-admin-token");

        await Expect(canvas.Locator("#sign-in-error")).ToContainTextAsync("Wrong admin token");
        await Expect(canvas.Locator("#sign-in-error")).ToHaveAttributeAsync("role", "alert");
        await Expect(canvas.Locator("#app-view")).ToBeHiddenAsync();
        Assert.Null(await canvas.Page.EvaluateAsync<string?>("sessionStorage.getItem('molecule.adminToken')"));
        await canvas.ScreenshotAsync();
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task Without_a_configured_admin_token_sign_in_explains_admin_not_configured()
    {
        await using var unconfigured = await TestPlatform.StartAsync(adminToken: null);
        await using var canvas = await browser.OpenAsync(unconfigured, nameof(Without_a_configured_admin_token_sign_in_explains_admin_not_configured));

        await canvas.SignInAsync("anything");

        await Expect(canvas.Locator("#sign-in-error")).ToContainTextAsync("admin_not_configured");
        await Expect(canvas.Locator("#app-view")).ToBeHiddenAsync();
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task Names_and_cards_from_the_API_are_shown_as_text_never_as_markup()
    {
        const string markup = "<img src=x class=injected onerror=\"document.title='pwned'\">";
        var agent = await platform.CreateClaimedAsync("x" + markup);
        var card = new JsonObject
        {
            ["name"] = "card" + markup, ["description"] = "desc" + markup,
            ["skills"] = new JsonArray(new JsonObject { ["name"] = "skill" + markup, ["tags"] = new JsonArray("tag" + markup) }),
        };
        (await platform.RegisterAsync(agent.Id, agent.Token, card: card)).AssertStatus(200);
        (await platform.HeartbeatAsync(agent.Id, agent.Token, currentTask: "task" + markup)).AssertStatus(200);
        await using var canvas = await browser.OpenAsync(platform, nameof(Names_and_cards_from_the_API_are_shown_as_text_never_as_markup));
        await canvas.SignInLiveAsync();

        await canvas.SelectAsync(agent.Id);

        await Expect(canvas.NodeField(agent.Id, ".node-name")).ToHaveTextAsync("x" + markup);
        await Expect(canvas.NodeField(agent.Id, ".current-task")).ToHaveTextAsync("task" + markup);
        await Expect(canvas.Locator("#detail-card")).ToContainTextAsync("desc" + markup);
        await Expect(canvas.Locator("#detail-card .skill")).ToContainTextAsync("skill" + markup);
        await Expect(canvas.Locator("img.injected")).ToHaveCountAsync(0);
        Assert.NotEqual("pwned", await canvas.Page.TitleAsync());
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task Creating_a_workspace_shows_its_id_snippets_and_token_once()
    {
        var parent = RegistryApi.Id(await platform.CreateWorkspaceAsync(Unique("parent")));
        await using var canvas = await browser.OpenAsync(platform, nameof(Creating_a_workspace_shows_its_id_snippets_and_token_once));
        await canvas.SignInLiveAsync();
        var name = Unique("planner");

        await canvas.Locator("#new-workspace").ClickAsync();
        await canvas.Locator("#create-name").FillAsync(name);
        await canvas.Locator("#create-role").FillAsync("planning");
        await canvas.Locator("#create-parent").SelectOptionAsync(parent);
        await canvas.Locator("#create-issue-token").CheckAsync();
        await canvas.Locator("#create-submit").ClickAsync();

        await Expect(canvas.Locator("#created")).ToBeVisibleAsync();
        var id = await canvas.Locator("#created-id").TextContentAsync();
        var token = await canvas.Locator("#created-token").TextContentAsync();
        Assert.Matches(Uuid, id);
        Assert.Matches(RegistryApi.TokenPattern, token);
        await Expect(canvas.Locator("#created-snippet")).ToContainTextAsync($"workspace_id=\"{id}\"");
        await Expect(canvas.Locator("#created-snippet")).ToContainTextAsync("/registry/register");
        await canvas.ScreenshotAsync();

        var stored = await platform.GetAsAdminAsync(id!);
        Assert.Equal(name, stored["name"]!.GetValue<string>());
        Assert.Equal("planning", stored["role"]!.GetValue<string>());
        Assert.Equal(parent, stored["parent_id"]!.GetValue<string>());
        Assert.True(stored["claimed"]!.GetValue<bool>());
        Assert.Equal(200, (await platform.HeartbeatAsync(id!, token)).Status); // the token shown is the real one

        // shown once: closing the dialog drops it from the page
        await canvas.Page.Keyboard.PressAsync("Escape");
        await Expect(canvas.Locator("#created")).ToBeHiddenAsync();
        await Expect(canvas.Locator("#created-token")).ToBeEmptyAsync(); // cleared by the dialog's close event
        Assert.DoesNotContain(token!, await canvas.Page.ContentAsync());
        await Expect(canvas.Locator($"li[data-workspace-id=\"{parent}\"] li[data-workspace-id=\"{id}\"]")).ToBeVisibleAsync();
        await Expect(canvas.Locator("#detail")).ToHaveAttributeAsync("data-workspace-id", id!);
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task A_registering_agent_turns_online_with_the_REMOTE_badge_and_its_card_without_a_reload()
    {
        var agent = await platform.CreateClaimedAsync(Unique("remote"));
        await using var canvas = await browser.OpenAsync(platform, nameof(A_registering_agent_turns_online_with_the_REMOTE_badge_and_its_card_without_a_reload));
        await canvas.SignInLiveAsync();
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "awaiting_agent");
        await canvas.BlockListRefreshAsync();

        var card = new JsonObject
        {
            ["name"] = "Remote Planner", ["description"] = "Plans the work", ["version"] = "1.4.0",
            ["supportedInterfaces"] = new JsonArray(new JsonObject { ["url"] = "https://agent.example.com/a2a", ["protocolBinding"] = "JSONRPC", ["protocolVersion"] = "1.0" }),
            ["capabilities"] = new JsonObject { ["streaming"] = true },
            ["skills"] = new JsonArray(new JsonObject { ["id"] = "plan", ["name"] = "Planning", ["tags"] = new JsonArray("roadmap", "triage") }),
        };
        (await platform.RegisterAsync(agent.Id, agent.Token, card: card)).AssertStatus(200);
        (await platform.HeartbeatAsync(agent.Id, agent.Token, currentTask: "triaging issues", activeTasks: 3)).AssertStatus(200);

        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "online");
        await Expect(canvas.NodeField(agent.Id, ".status-label")).ToHaveTextAsync("Online");
        await Expect(canvas.NodeField(agent.Id, ".remote-badge")).ToBeVisibleAsync();
        await Expect(canvas.NodeField(agent.Id, ".remote-badge")).ToHaveTextAsync("REMOTE");
        await Expect(canvas.NodeField(agent.Id, ".current-task")).ToHaveTextAsync("triaging issues");
        await Expect(canvas.NodeField(agent.Id, ".active-tasks")).ToHaveTextAsync("3");
        await Expect(canvas.NodeField(agent.Id, ".last-heartbeat")).ToHaveTextAsync(new Regex(@"^\d+ s ago$"));
        await Expect(canvas.NodeField(agent.Id, ".node-card")).ToContainTextAsync("Remote Planner");
        await Expect(canvas.NodeField(agent.Id, ".node-card")).ToContainTextAsync("A2A v1.0");
        await Expect(canvas.NodeField(agent.Id, ".node-card")).ToContainTextAsync("roadmap");

        (await platform.HeartbeatAsync(agent.Id, agent.Token, errorRate: 0.75, sampleError: "tool timeout", currentTask: "triaging issues", activeTasks: 3)).AssertStatus(200);
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "degraded");
        await Expect(canvas.NodeField(agent.Id, ".status-label")).ToHaveTextAsync("Degraded");
        await Expect(canvas.NodeField(agent.Id, ".error-rate")).ToHaveTextAsync("75%");

        await canvas.SelectAsync(agent.Id);
        await Expect(canvas.Locator("#detail-card")).ToContainTextAsync("Plans the work");
        await Expect(canvas.Locator("#detail-card")).ToContainTextAsync("streaming");
        await Expect(canvas.Locator("#detail-card .skill")).ToContainTextAsync("Planning");
        await canvas.ScreenshotAsync();
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task Keyboard_focus_and_selection_stay_on_a_node_while_other_workspaces_arrive_live()
    {
        var first = RegistryApi.Id(await platform.CreateWorkspaceAsync(Unique("focused")));
        await using var canvas = await browser.OpenAsync(platform, nameof(Keyboard_focus_and_selection_stay_on_a_node_while_other_workspaces_arrive_live));
        await canvas.SignInLiveAsync();
        await canvas.Node(first).FocusAsync();
        await canvas.Node(first).PressAsync("Enter");
        await Expect(canvas.Locator("#detail")).ToHaveAttributeAsync("data-workspace-id", first);

        // new roots and a child of the focused node change the tree's shape: each arrives as a live event
        var arrivals = new List<string>();
        for (var i = 0; i < 3; i++) arrivals.Add(RegistryApi.Id(await platform.CreateWorkspaceAsync(Unique("arrival"))));
        arrivals.Add(RegistryApi.Id(await platform.CreateWorkspaceAsync(Unique("child"), parentId: first)));
        foreach (var id in arrivals) await Expect(canvas.Node(id)).ToBeAttachedAsync();
        await Expect(canvas.Node(first).Locator($"li[data-workspace-id=\"{arrivals[^1]}\"]")).ToBeAttachedAsync();

        await Expect(canvas.Node(first)).ToBeFocusedAsync();
        await Expect(canvas.Node(first)).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(canvas.Locator("#detail")).ToHaveAttributeAsync("data-workspace-id", first);
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task A_list_answer_older_than_a_live_event_does_not_undo_it()
    {
        var agent = await platform.CreateClaimedAsync(Unique("racer"));
        await using var canvas = await browser.OpenAsync(platform, nameof(A_list_answer_older_than_a_live_event_does_not_undo_it));
        await canvas.SignInLiveAsync();
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "awaiting_agent");
        // the next list read is answered with a snapshot taken now but delivered only after the agent came online
        var snapshotTaken = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await canvas.Page.RouteAsync(url => new Uri(url).AbsolutePath == "/workspaces", async route =>
        {
            if (route.Request.Method != "GET") { await route.ContinueAsync(); return; }
            var stale = await route.FetchAsync();
            snapshotTaken.TrySetResult();
            await release.Task;
            await route.FulfillAsync(new() { Response = stale });
        });

        await canvas.Locator("#show-removed").CheckAsync(); // re-reads the list
        await snapshotTaken.Task.WaitAsync(TimeSpan.FromSeconds(15));
        (await platform.RegisterAsync(agent.Id, agent.Token)).AssertStatus(200);
        await Expect(canvas.Node(agent.Id)).ToHaveAttributeAsync("data-status", "online");
        var finished = canvas.Page.WaitForRequestFinishedAsync(new() { Predicate = r => r.Url.Contains("/workspaces?include_removed=true") });
        release.SetResult();

        await finished;
        await canvas.Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        await canvas.Page.EvaluateAsync("new Promise(done => setTimeout(done, 100))"); // let the page handle the answer
        Assert.Equal("online", await canvas.Node(agent.Id).GetAttributeAsync("data-status"));
        await Expect(canvas.NodeField(agent.Id, ".status-label")).ToHaveTextAsync("Online");
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task Pause_and_delete_with_cascade_confirmation_from_the_UI()
    {
        var root = RegistryApi.Id(await platform.CreateWorkspaceAsync(Unique("team")));
        var childName = Unique("child");
        var child = RegistryApi.Id(await platform.CreateWorkspaceAsync(childName, root));
        var grandchildName = Unique("grandchild");
        var grandchild = RegistryApi.Id(await platform.CreateWorkspaceAsync(grandchildName, child));
        await using var canvas = await browser.OpenAsync(platform, nameof(Pause_and_delete_with_cascade_confirmation_from_the_UI));
        await canvas.SignInLiveAsync();
        await canvas.SelectAsync(root);

        await canvas.Locator("#pause").ClickAsync();

        foreach (var id in new[] { root, child, grandchild })
        {
            await Expect(canvas.Node(id)).ToHaveAttributeAsync("data-status", "paused");
            await Expect(canvas.NodeField(id, ".status-label")).ToHaveTextAsync("Paused");
        }
        Assert.Equal("paused", (await platform.GetAsAdminAsync(grandchild))["status"]!.GetValue<string>());

        await canvas.Locator("#resume").ClickAsync();
        foreach (var id in new[] { root, child, grandchild })
            await Expect(canvas.NodeField(id, ".status-label")).ToHaveTextAsync("Awaiting agent");
        await Expect(canvas.Locator("#resume")).ToBeDisabledAsync();
        await canvas.Locator("#pause").ClickAsync();
        await Expect(canvas.Node(grandchild)).ToHaveAttributeAsync("data-status", "paused");

        await canvas.Locator("#delete").ClickAsync();
        await Expect(canvas.Locator("#delete-dialog")).ToBeVisibleAsync();
        await Expect(canvas.Locator("#delete-dialog li")).ToHaveTextAsync([childName, grandchildName]);
        await canvas.ScreenshotAsync("confirm");
        // cancelling with Escape deletes nothing
        await canvas.Page.Keyboard.PressAsync("Escape");
        await Expect(canvas.Locator("#delete-dialog")).ToBeHiddenAsync();
        Assert.Equal("paused", (await platform.GetAsAdminAsync(root))["status"]!.GetValue<string>());

        await canvas.Locator("#delete").ClickAsync();
        await canvas.Locator("#delete-confirm").ClickAsync();
        await Expect(canvas.Locator("#delete-dialog")).ToBeHiddenAsync();

        foreach (var id in new[] { root, child, grandchild })
        {
            await Expect(canvas.Node(id)).ToHaveCountAsync(0);
            Assert.Equal("removed", (await platform.GetAsAdminAsync(id))["status"]!.GetValue<string>());
        }
        await canvas.Locator("#show-removed").CheckAsync();
        await Expect(canvas.Node(grandchild)).ToHaveAttributeAsync("data-status", "removed");
        await Expect(canvas.NodeField(grandchild, ".status-label")).ToHaveTextAsync("Removed");
        await canvas.ScreenshotAsync();
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task A_chat_round_trip_with_a_push_agent_shows_replies_and_JSON_RPC_errors()
    {
        await using var agentServer = await TestAgent.StartAsync();
        agentServer.Respond = async context =>
        {
            var request = JsonNode.Parse(agentServer.Requests.Last().Body)!; // TestAgent has read the body already
            var text = request["params"]!["message"]!["parts"]![0]!["text"]!.GetValue<string>();
            if (text == "break")
            {
                await TestAgent.Json(context, 200, new JsonObject { ["jsonrpc"] = "2.0", ["id"] = request["id"]!.DeepClone(),
                    ["error"] = new JsonObject { ["code"] = -32601, ["message"] = "no such method here" } }.ToJsonString());
                return;
            }
            await TestAgent.Json(context, 200, new JsonObject
            {
                ["jsonrpc"] = "2.0", ["id"] = request["id"]!.DeepClone(),
                ["result"] = new JsonObject { ["kind"] = "message", ["role"] = "agent", ["messageId"] = "r1",
                    ["parts"] = new JsonArray(new JsonObject { ["kind"] = "text", ["text"] = "pong: " + text }) },
            }.ToJsonString());
        };
        var agent = await platform.CreateClaimedAsync(Unique("chatty"));
        (await platform.RegisterAsync(agent.Id, agent.Token, url: agentServer.Url)).AssertStatus(200);
        await using var canvas = await browser.OpenAsync(platform, nameof(A_chat_round_trip_with_a_push_agent_shows_replies_and_JSON_RPC_errors));
        await canvas.SignInLiveAsync();
        await canvas.SelectAsync(agent.Id);

        await canvas.Locator("#chat-input").FillAsync("hello agent");
        await canvas.Locator("#chat-send").ClickAsync();

        await Expect(canvas.Locator("#chat-log li[data-from=canvas]")).ToContainTextAsync("hello agent");
        await Expect(canvas.Locator("#chat-log li[data-from=agent]")).ToContainTextAsync("pong: hello agent");
        var received = Assert.Single(agentServer.Requests);
        Assert.Equal("canvas", received.Headers["X-Source-Workspace-Id"]);
        Assert.Equal("message/send", JsonNode.Parse(received.Body)!["method"]!.GetValue<string>());
        await Expect(canvas.Locator("#activity-list li[data-type=a2a_receive]")).ToContainTextAsync("message/send from canvas");

        // an agent's later message through notify arrives as AGENT_MESSAGE
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{agent.Id}/notify", new { message = "done thinking" }, agent.Token)).AssertStatus(200);
        await Expect(canvas.Locator("#chat-log li[data-from=agent]").Last).ToContainTextAsync("done thinking");

        await canvas.Locator("#chat-input").FillAsync("break");
        await canvas.Locator("#chat-input").PressAsync("Enter");
        await Expect(canvas.Locator("#chat-log li[data-from=agent]").Last).ToContainTextAsync("-32601 (method not found): no such method here");
        await Expect(canvas.Locator("#chat-log li")).ToHaveCountAsync(5);
        await canvas.ScreenshotAsync();
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task A_secret_set_from_the_UI_is_listed_by_key_and_its_value_never_stays_in_the_page()
    {
        var id = RegistryApi.Id(await platform.CreateWorkspaceAsync(Unique("vaulted")));
        const string value = "sk-canvas-value-9f8e7d6c5b4a";
        await using var canvas = await browser.OpenAsync(platform, nameof(A_secret_set_from_the_UI_is_listed_by_key_and_its_value_never_stays_in_the_page));
        await canvas.SignInLiveAsync();
        await canvas.SelectAsync(id);

        await canvas.Locator("#secret-key").FillAsync("OPENAI_API_KEY");
        await canvas.Locator("#secret-value").FillAsync(value);
        await canvas.Locator("#secret-save").ClickAsync();

        await Expect(canvas.Locator("#secret-list li[data-key=OPENAI_API_KEY]")).ToBeVisibleAsync();
        await Expect(canvas.Locator("#secret-value")).ToHaveValueAsync("");
        Assert.DoesNotContain(value, await canvas.Page.ContentAsync());
        var inputValues = await canvas.Page.EvaluateAsync<string[]>("[...document.querySelectorAll('input, textarea, select')].map(e => e.value)");
        Assert.DoesNotContain(inputValues, v => v.Contains(value));
        Assert.DoesNotContain(await canvas.Page.EvaluateAsync<string>("document.body.innerText"), value);
        Assert.DoesNotContain(canvas.Console, line => line.Contains(value));
        var listed = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/secrets");
        Assert.Contains(listed.Array, s => s!["key"]!.GetValue<string>() == "OPENAI_API_KEY");
        await canvas.ScreenshotAsync();

        await canvas.Locator("#secret-list li[data-key=OPENAI_API_KEY] .secret-delete").ClickAsync();
        await Expect(canvas.Locator("#secret-list li[data-key=OPENAI_API_KEY]")).ToHaveCountAsync(0);
        Assert.DoesNotContain((await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/secrets")).Array,
            s => s!["key"]!.GetValue<string>() == "OPENAI_API_KEY");
        canvas.AssertNoErrors();
    }

    [Fact]
    public async Task A_token_minted_in_the_UI_is_shown_once_and_can_be_revoked()
    {
        var id = RegistryApi.Id(await platform.CreateWorkspaceAsync(Unique("tokened")));
        await using var canvas = await browser.OpenAsync(platform, nameof(A_token_minted_in_the_UI_is_shown_once_and_can_be_revoked));
        await canvas.SignInLiveAsync();
        await canvas.SelectAsync(id);

        await canvas.Locator("#token-mint").ClickAsync();

        await Expect(canvas.Locator("#new-token")).ToContainTextAsync("mws_");
        var token = (await canvas.Locator("#new-token code").TextContentAsync())!;
        Assert.Matches(RegistryApi.TokenPattern, token);
        var tokenId = await platform.TokenIdAsync(id, token);
        await Expect(canvas.Locator($"#token-list li[data-token-id=\"{tokenId}\"]")).ToContainTextAsync(token[..12]);
        Assert.Equal(200, (await platform.HeartbeatAsync(id, token)).Status);
        Assert.DoesNotContain(canvas.Console, line => line.Contains(token));
        await canvas.ScreenshotAsync();

        await canvas.Locator($"#token-list li[data-token-id=\"{tokenId}\"] .token-revoke").ClickAsync();

        await Expect(canvas.Locator($"#token-list li[data-token-id=\"{tokenId}\"]")).ToHaveCountAsync(0);
        var all = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}/tokens?include_revoked=true");
        Assert.NotNull(all.Array.Single(t => t!["id"]!.GetValue<string>() == tokenId)!["revoked_at"]);
        canvas.AssertNoErrors();
    }
}
