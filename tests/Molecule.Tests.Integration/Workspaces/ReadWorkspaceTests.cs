using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Workspaces;

public sealed class ReadWorkspaceTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private static string Id(System.Text.Json.Nodes.JsonObject w) => w["id"]!.GetValue<string>();

    [Fact]
    public async Task List_returns_workspaces_oldest_first_without_removed_ones()
    {
        var first = Id(await platform.CreateWorkspaceAsync("first"));
        var second = Id(await platform.CreateWorkspaceAsync("second"));
        var removed = Id(await platform.CreateWorkspaceAsync("removed"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removed}");

        var response = await platform.AdminAsync(HttpMethod.Get, "/workspaces");

        Assert.Equal(200, response.Status);
        var ids = response.Array.Select(w => w!["id"]!.GetValue<string>()).ToList();
        Assert.True(ids.IndexOf(first) < ids.IndexOf(second), "ordered by created_at ascending");
        Assert.DoesNotContain(removed, ids);
        var createdAts = response.Array.Select(w => DateTimeOffset.Parse(w!["created_at"]!.GetValue<string>())).ToList();
        Assert.Equal(createdAts.Order().ToList(), createdAts);
    }

    [Fact]
    public async Task List_with_include_removed_shows_tombstones()
    {
        var removed = Id(await platform.CreateWorkspaceAsync("tombstone"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{removed}");

        var response = await platform.AdminAsync(HttpMethod.Get, "/workspaces?include_removed=true");

        var row = response.Array.Single(w => w!["id"]!.GetValue<string>() == removed)!;
        Assert.Equal("removed", row["status"]!.GetValue<string>());
        Assert.NotNull(row["removed_at"]);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("TRUE")]
    public async Task List_with_a_non_boolean_include_removed_answers_400(string value)
    {
        var response = await platform.AdminAsync(HttpMethod.Get, $"/workspaces?include_removed={value}");

        response.AssertError(400, "invalid query parameter", "include_removed: must be true or false");
    }

    [Fact]
    public async Task Get_with_admin_returns_the_workspace()
    {
        var created = await platform.CreateWorkspaceAsync("gettable");

        var response = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{Id(created)}");

        Assert.Equal(200, response.Status);
        created.Remove("connect");
        ApiClient.AssertJson(created, response.Json);
    }

    [Fact]
    public async Task Get_with_the_workspace_own_token_returns_it()
    {
        var created = await platform.CreateWorkspaceAsync("own", issueToken: true);

        var response = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{Id(created)}", bearer: created["connect"]!["auth_token"]!.GetValue<string>());

        Assert.Equal(200, response.Status);
        Assert.Equal(Id(created), response["id"]);
    }

    [Fact]
    public async Task Get_with_another_workspace_token_answers_401()
    {
        var target = await platform.CreateWorkspaceAsync("target");
        var other = await platform.CreateWorkspaceAsync("other", issueToken: true);

        var response = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{Id(target)}", bearer: other["connect"]!["auth_token"]!.GetValue<string>());

        response.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task Get_without_a_credential_answers_401_missing()
    {
        var target = await platform.CreateWorkspaceAsync("target");

        var response = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{Id(target)}");

        response.AssertError(401, "missing workspace auth token");
    }

    [Fact]
    public async Task Get_of_an_unknown_id_answers_404()
    {
        var response = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{Guid.NewGuid()}");

        response.AssertError(404, "workspace not found");
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("3F0C8D2E-5B1A-4C6E-9F7D-2A1B3C4D5E6F")]
    [InlineData("3f0c8d2e5b1a4c6e9f7d2a1b3c4d5e6f")]
    public async Task Get_of_a_non_UUID_id_answers_400_before_authentication(string id)
    {
        var response = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{id}");

        response.AssertError(400, "invalid workspace ID", "id");
    }

    [Fact]
    public async Task Get_of_a_removed_workspace_answers_410_unless_include_removed()
    {
        var id = Id(await platform.CreateWorkspaceAsync("gone"));
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}");

        var gone = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}");
        var shown = await platform.AdminAsync(HttpMethod.Get, $"/workspaces/{id}?include_removed=true");

        Assert.Equal(410, gone.Status);
        Assert.Equal(3, gone.Object.Count);
        Assert.Equal("workspace removed", gone["error"]);
        Assert.Equal(id, gone["id"]);
        Assert.Equal(shown["removed_at"], gone["removed_at"]);
        Assert.Equal(200, shown.Status);
        Assert.Equal("removed", shown["status"]);
    }
}
