using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Workspaces;

public sealed class PatchWorkspaceTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static string Id(JsonObject w) => w["id"]!.GetValue<string>();

    [Fact]
    public async Task Patch_updates_the_fields_and_emits_WORKSPACE_UPDATED_with_the_changes()
    {
        var id = Id(await platform.CreateWorkspaceAsync("before"));

        var response = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}",
            new { name = "after", role = "reviewer", tier = 4, url = "https://127.0.0.1/a2a", delivery_mode = "poll" });

        Assert.Equal(200, response.Status);
        Assert.Equal("after", response["name"]);
        Assert.Equal("reviewer", response["role"]);
        Assert.Equal("4", response["tier"]);
        Assert.Equal("https://127.0.0.1/a2a", response["url"]);
        Assert.Equal("poll", response["delivery_mode"]);
        var e = Assert.Single(platform.Events.For(id, EventNames.WorkspaceUpdated));
        ApiClient.AssertJson(new JsonObject
        {
            ["changed"] = new JsonObject
            {
                ["name"] = "after", ["role"] = "reviewer", ["tier"] = 4, ["delivery_mode"] = "poll", ["url"] = "https://127.0.0.1/a2a",
            },
        }, e.Payload);
    }

    [Fact]
    public async Task An_empty_body_is_a_no_op_without_an_event()
    {
        var created = await platform.CreateWorkspaceAsync("same");

        var response = await platform.SendAsync(HttpMethod.Patch, $"/workspaces/{Id(created)}", bearer: platform.AdminToken);
        var emptyObject = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{Id(created)}", new { });
        var sameValue = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{Id(created)}", new { name = "same" });

        Assert.Equal(200, response.Status);
        Assert.Equal(200, emptyObject.Status);
        Assert.Equal(200, sameValue.Status);
        created.Remove("connect");
        ApiClient.AssertJson(created, response.Json);
        Assert.Empty(platform.Events.For(Id(created), EventNames.WorkspaceUpdated));
    }

    [Fact]
    public async Task An_empty_url_clears_it()
    {
        var id = Id(await platform.CreateWorkspaceAsync("has-url", extra: new { url = "https://127.0.0.1/a2a" }));

        var response = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { url = "" });

        Assert.Equal("", response["url"]);
        Assert.Equal("poll", response["delivery_mode"]);
    }

    [Fact]
    public async Task Moving_under_a_new_parent_and_back_to_the_root()
    {
        var parent = Id(await platform.CreateWorkspaceAsync("new-parent"));
        var child = Id(await platform.CreateWorkspaceAsync("mover"));

        var moved = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{child}", new { parent_id = parent });
        var deleteParent = await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{parent}");
        var root = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{child}", new JsonObject { ["parent_id"] = null });

        Assert.Equal(parent, moved["parent_id"]);
        Assert.Equal(409, deleteParent.Status); // the moved child is now its child
        Assert.Equal(200, root.Status);
        Assert.Null(root.Json!["parent_id"]);
        Assert.Equal(200, (await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{parent}")).Status);
        Assert.Equal(200, (await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{child}")).Status);
    }

    [Fact]
    public async Task A_parent_equal_to_itself_is_a_cycle()
    {
        var id = Id(await platform.CreateWorkspaceAsync("self"));

        var response = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { parent_id = id });

        response.AssertError(409, "parent_id would create a cycle", "parent_id");
    }

    [Fact]
    public async Task A_parent_that_is_a_descendant_is_a_cycle()
    {
        var top = Id(await platform.CreateWorkspaceAsync("top"));
        var middle = Id(await platform.CreateWorkspaceAsync("middle", top));
        var bottom = Id(await platform.CreateWorkspaceAsync("bottom", middle));

        var response = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{top}", new { parent_id = bottom });

        response.AssertError(409, "parent_id would create a cycle", "parent_id");
    }

    [Fact]
    public async Task Unknown_and_removed_parents_are_refused()
    {
        var id = Id(await platform.CreateWorkspaceAsync("orphan"));
        var removed = Id(await platform.CreateWorkspaceAsync("removed-parent"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removed}");

        var unknown = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { parent_id = Guid.NewGuid().ToString() });
        var gone = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { parent_id = removed });

        unknown.AssertError(404, "parent workspace not found", "parent_id");
        gone.AssertError(409, "parent workspace removed", "parent_id");
    }

    [Fact]
    public async Task A_move_that_puts_a_descendant_at_depth_33_is_refused()
    {
        string? chain = null;
        for (var depth = 1; depth <= 31; depth++) chain = Id(await platform.CreateWorkspaceAsync($"d{depth}", chain));
        var subtree = Id(await platform.CreateWorkspaceAsync("sub"));
        await platform.CreateWorkspaceAsync("sub-child", subtree);

        var response = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{subtree}", new { parent_id = chain });

        response.AssertError(409, "hierarchy too deep", "parent_id");
    }

    [Fact]
    public async Task Invalid_fields_answer_400()
    {
        var id = Id(await platform.CreateWorkspaceAsync("strict"));

        var tier = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { tier = 9 });
        var name = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { name = "" });
        var parent = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { parent_id = 7 });
        var notJson = await platform.SendAsync(HttpMethod.Patch, $"/workspaces/{id}", rawBody: "{nope", bearer: platform.AdminToken);

        tier.AssertError(400, "invalid request body", "tier: must be an integer between 1 and 4");
        name.AssertError(400, "invalid request body", "name: must not be empty");
        parent.AssertError(400, "invalid workspace ID", "parent_id");
        notJson.AssertError(400, "invalid JSON");
    }

    [Fact]
    public async Task Unknown_and_removed_workspaces_answer_404_and_410()
    {
        var id = Id(await platform.CreateWorkspaceAsync("to-remove"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}");

        var unknown = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{Guid.NewGuid()}", new { name = "x" });
        var removed = await platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { name = "x" });

        unknown.AssertError(404, "workspace not found");
        Assert.Equal(410, removed.Status);
        Assert.Equal("workspace removed", removed["error"]);
        Assert.Equal(id, removed["id"]);
    }

    [Fact]
    public async Task Concurrent_patches_of_different_fields_both_survive()
    {
        for (var round = 0; round < 5; round++)
        {
            var id = Id(await platform.CreateWorkspaceAsync("racer"));

            var patches = new[]
            {
                platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { name = $"renamed-{round}" }),
                platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { role = $"role-{round}" }),
                platform.AdminAsync(HttpMethod.Patch, $"/workspaces/{id}", new { tier = 3 }),
            };
            var responses = await Task.WhenAll(patches);

            Assert.All(responses, r => Assert.Equal(200, r.Status));
            var final = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}");
            Assert.Equal($"renamed-{round}", final["name"]);
            Assert.Equal($"role-{round}", final["role"]);
            Assert.Equal("3", final["tier"]);
        }
    }

    [Fact]
    public async Task A_workspace_token_cannot_patch()
    {
        var created = await platform.CreateWorkspaceAsync("agent", issueToken: true);

        var response = await platform.SendAsync(HttpMethod.Patch, $"/workspaces/{Id(created)}", new { name = "hijack" },
            created["connect"]!["auth_token"]!.GetValue<string>());

        response.AssertError(401, "invalid admin auth token");
    }
}
