using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Workspaces;

public sealed class PauseResumeTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static string Id(JsonObject w) => w["id"]!.GetValue<string>();

    private async Task<string> StatusOf(string id) => (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}"))["status"]!;

    [Fact]
    public async Task Pause_pauses_the_subtree_once_each_and_skips_removed_children()
    {
        var root = Id(await platform.CreateWorkspaceAsync("root"));
        var child = Id(await platform.CreateWorkspaceAsync("child", root));
        var grandchild = Id(await platform.CreateWorkspaceAsync("grandchild", child));
        var removed = Id(await platform.CreateWorkspaceAsync("removed", root));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removed}");
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{grandchild}/pause");

        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{root}/pause");

        ApiClient.AssertJson(JsonNode.Parse("""{"status":"paused","paused_count":2}"""), response.Json);
        Assert.Equal("paused", await StatusOf(root));
        Assert.Equal("paused", await StatusOf(child));
        Assert.Equal("removed", (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{removed}?include_removed=true"))["status"]);
        var e = Assert.Single(platform.Events.For(root, EventNames.WorkspacePaused));
        ApiClient.AssertJson(new JsonObject { ["name"] = "root" }, e.Payload);
        Assert.Single(platform.Events.For(child, EventNames.WorkspacePaused));
        Assert.Single(platform.Events.For(grandchild, EventNames.WorkspacePaused));
    }

    [Fact]
    public async Task Pausing_an_already_paused_workspace_is_fine()
    {
        var id = Id(await platform.CreateWorkspaceAsync("twice"));
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/pause");

        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/pause");

        ApiClient.AssertJson(JsonNode.Parse("""{"status":"paused","paused_count":0}"""), response.Json);
        Assert.Single(platform.Events.For(id, EventNames.WorkspacePaused));
    }

    [Fact]
    public async Task An_agent_may_pause_itself_with_its_own_token_and_an_ignored_body()
    {
        var created = await platform.CreateWorkspaceAsync("self-pauser", issueToken: true);

        var response = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{Id(created)}/pause", rawBody: "not even json",
            bearer: created["connect"]!["auth_token"]!.GetValue<string>());

        Assert.Equal(200, response.Status);
        Assert.Equal("paused", await StatusOf(Id(created)));
    }

    [Fact]
    public async Task Pause_of_unknown_and_removed_workspaces()
    {
        var id = Id(await platform.CreateWorkspaceAsync("gone"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}");

        (await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{Guid.NewGuid()}/pause")).AssertError(404, "workspace not found");
        Assert.Equal(410, (await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/pause")).Status);
    }

    [Fact]
    public async Task Resume_returns_the_subtree_to_awaiting_agent()
    {
        var root = Id(await platform.CreateWorkspaceAsync("root"));
        var child = Id(await platform.CreateWorkspaceAsync("child", root));
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{root}/pause");

        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{root}/resume");

        ApiClient.AssertJson(JsonNode.Parse("""{"status":"awaiting_agent","resumed_count":2}"""), response.Json);
        Assert.Equal("awaiting_agent", await StatusOf(root));
        Assert.Equal("awaiting_agent", await StatusOf(child));
        var resumedEvent = platform.Events.For(child, EventNames.WorkspaceAwaitingAgent).Last();
        ApiClient.AssertJson(new JsonObject
        {
            ["name"] = "child", ["role"] = "", ["tier"] = 1, ["runtime"] = "external", ["parent_id"] = root, ["claimed"] = false,
        }, resumedEvent.Payload);
    }

    [Fact]
    public async Task Resume_of_a_workspace_that_is_not_paused_answers_409()
    {
        var id = Id(await platform.CreateWorkspaceAsync("running"));

        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/resume");

        response.AssertError(409, "workspace is not paused");
    }

    [Fact]
    public async Task Resume_under_a_paused_ancestor_answers_409_naming_it()
    {
        var root = Id(await platform.CreateWorkspaceAsync("root"));
        var child = Id(await platform.CreateWorkspaceAsync("child", root));
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{root}/pause");

        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{child}/resume");

        Assert.Equal(409, response.Status);
        ApiClient.AssertJson(new JsonObject { ["error"] = "an ancestor workspace is paused; resume it first", ["ancestor_id"] = root }, response.Json);
    }

    [Fact]
    public async Task Resume_is_admin_only()
    {
        var created = await platform.CreateWorkspaceAsync("agent", issueToken: true);
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{Id(created)}/pause");

        var response = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{Id(created)}/resume", bearer: created["connect"]!["auth_token"]!.GetValue<string>());

        response.AssertError(401, "invalid admin auth token");
    }

    [Fact]
    public async Task Reopening_the_claim_window_of_an_unclaimed_workspace()
    {
        var id = Id(await platform.CreateWorkspaceAsync("unclaimed"));
        var before = DateTimeOffset.UtcNow;

        var response = await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/claim-window");

        Assert.Equal(200, response.Status);
        Assert.Equal(2, response.Object.Count);
        Assert.Equal(id, response["workspace_id"]);
        var expires = DateTimeOffset.Parse(response["claim_expires_at"]!);
        Assert.InRange(expires, before.AddHours(24).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(1));
        Assert.Equal(response["claim_expires_at"], (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}"))["claim_expires_at"]);
    }

    [Fact]
    public async Task Reopening_the_claim_window_of_a_claimed_removed_or_unknown_workspace()
    {
        var claimed = Id(await platform.CreateWorkspaceAsync("claimed", issueToken: true));
        var removed = Id(await platform.CreateWorkspaceAsync("removed"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removed}");

        (await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{claimed}/claim-window")).AssertError(409, "workspace already claimed");
        Assert.Equal(410, (await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{removed}/claim-window")).Status);
        (await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{Guid.NewGuid()}/claim-window")).AssertError(404, "workspace not found");
    }
}
