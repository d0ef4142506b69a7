using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Workspaces;

public sealed class DeleteWorkspaceTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static string Id(JsonObject w) => w["id"]!.GetValue<string>();

    [Fact]
    public async Task Deleting_a_leaf_tombstones_it_and_emits_WORKSPACE_REMOVED()
    {
        var id = Id(await platform.CreateWorkspaceAsync("leaf"));

        var response = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}");

        Assert.Equal(200, response.Status);
        ApiClient.AssertJson(JsonNode.Parse("""{"status":"removed","cascade_deleted":0}"""), response.Json);
        var tombstone = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}?include_removed=true");
        Assert.Equal("removed", tombstone["status"]);
        var e = Assert.Single(platform.Events.For(id, EventNames.WorkspaceRemoved));
        ApiClient.AssertJson(new JsonObject { ["removed_at"] = tombstone["removed_at"], ["cascade_deleted"] = 0 }, e.Payload);
    }

    [Fact]
    public async Task Children_need_confirm_and_are_listed()
    {
        var parent = Id(await platform.CreateWorkspaceAsync("parent"));
        var a = Id(await platform.CreateWorkspaceAsync("child-a", parent));
        var b = Id(await platform.CreateWorkspaceAsync("child-b", parent));

        var refused = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{parent}");
        var notTrue = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{parent}?confirm=false");

        Assert.Equal(409, refused.Status);
        ApiClient.AssertJson(new JsonObject
        {
            ["error"] = "workspace has child workspaces; repeat with ?confirm=true to remove them too",
            ["children"] = new JsonArray(new JsonObject { ["id"] = a, ["name"] = "child-a" }, new JsonObject { ["id"] = b, ["name"] = "child-b" }),
            ["children_count"] = 2,
        }, refused.Json);
        Assert.Equal(409, notTrue.Status);
        Assert.Equal(200, (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{parent}")).Status);
    }

    [Fact]
    public async Task Confirmed_delete_cascades_to_every_descendant_and_revokes_their_tokens()
    {
        var root = await platform.CreateWorkspaceAsync("root", issueToken: true);
        var child = await platform.CreateWorkspaceAsync("child", Id(root), issueToken: true);
        var grandchild = await platform.CreateWorkspaceAsync("grandchild", Id(child));
        var alreadyGone = Id(await platform.CreateWorkspaceAsync("already-gone", Id(child)));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{alreadyGone}");
        var bystander = await platform.CreateWorkspaceAsync("bystander", issueToken: true);

        var response = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{Id(root)}?confirm=true");

        ApiClient.AssertJson(JsonNode.Parse("""{"status":"removed","cascade_deleted":2}"""), response.Json);
        foreach (var id in new[] { Id(root), Id(child), Id(grandchild) })
        {
            Assert.Equal(410, (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}")).Status);
            Assert.Single(platform.Events.For(id, EventNames.WorkspaceRemoved));
        }
        var rootEvent = platform.Events.For(Id(root), EventNames.WorkspaceRemoved).Single();
        Assert.Equal(2, rootEvent.Payload["cascade_deleted"]!.GetValue<int>());
        Assert.False(platform.Events.For(Id(child), EventNames.WorkspaceRemoved).Single().Payload.ContainsKey("cascade_deleted"));
        Assert.Single(platform.Events.For(alreadyGone, EventNames.WorkspaceRemoved));
        var childToken = child["connect"]!["auth_token"]!.GetValue<string>();
        (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{Id(child)}", bearer: childToken)).AssertError(401, "invalid workspace auth token");
        Assert.Equal(200, (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{Id(bystander)}", bearer: bystander["connect"]!["auth_token"]!.GetValue<string>())).Status);
    }

    [Fact]
    public async Task Deleting_twice_answers_410_and_unknown_answers_404()
    {
        var id = Id(await platform.CreateWorkspaceAsync("twice"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}");

        var again = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}");
        var unknown = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{Guid.NewGuid()}");

        Assert.Equal(410, again.Status);
        Assert.Equal("workspace removed", again["error"]);
        unknown.AssertError(404, "workspace not found");
    }

    [Fact]
    public async Task A_bad_confirm_value_answers_400()
    {
        var id = Id(await platform.CreateWorkspaceAsync("confirmable"));

        var response = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}?confirm=yes");

        response.AssertError(400, "invalid query parameter", "confirm: must be true or false");
    }

    [Fact]
    public async Task The_own_token_cannot_delete()
    {
        var created = await platform.CreateWorkspaceAsync("self-delete", issueToken: true);

        var response = await platform.SendAsync(HttpMethod.Delete, $"/workspaces/{Id(created)}", bearer: created["connect"]!["auth_token"]!.GetValue<string>());

        response.AssertError(401, "invalid admin auth token");
    }
}
