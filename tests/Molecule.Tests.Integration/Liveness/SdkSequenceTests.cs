using System.Text.Json.Nodes;
using Molecule.Core.Events;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Liveness;

/// <summary>The request sequence of the SDK's register → run_heartbeat_loop life, end to end.</summary>
public sealed class SdkSequenceTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    [Fact]
    public async Task An_agent_lives_through_claim_pause_resume_restart_and_delete()
    {
        var id = (await platform.CreateWorkspaceAsync("sdk-agent"))["id"]!.GetValue<string>();
        var agent = new SdkAgent(platform, id);

        // first run: register claims the workspace
        var registered = await agent.RegisterAsync();
        Assert.Equal(200, registered.Status);
        Assert.Matches("^mws_[A-Za-z0-9_-]{43}$", agent.Token!);
        ApiClient.AssertJson(new JsonObject
        {
            ["status"] = "registered", ["auth_token"] = agent.Token, ["workspace_id"] = id, ["delivery_mode"] = "poll",
            ["heartbeat_interval_seconds"] = 30, ["offline_after_seconds"] = 90,
        }, registered.Json);

        // run_heartbeat_loop: heartbeat + state poll
        ApiClient.AssertJson(JsonNode.Parse("""{"status":"ok","workspace_status":"online","paused":false}"""), (await agent.HeartbeatAsync()).Json);
        var state = await agent.PollStateAsync();
        Assert.Equal(200, state.Status);
        Assert.Equal("online", state["status"]);
        Assert.False(state.Json!["paused"]!.GetValue<bool>());
        Assert.False(state.Json!["deleted"]!.GetValue<bool>());

        // paused by the admin: the loop sees paused:true and ends
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/pause");
        var pausedBeat = await agent.HeartbeatAsync();
        ApiClient.AssertJson(JsonNode.Parse("""{"status":"ok","workspace_status":"paused","paused":true}"""), pausedBeat.Json);
        Assert.True((await agent.PollStateAsync()).Json!["paused"]!.GetValue<bool>());

        // resumed: the agent is restarted; register is a no-op and the cached token keeps working
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{id}/resume");
        Assert.Equal("awaiting_agent", (await agent.PollStateAsync())["status"]);
        var cached = agent.Token;
        var again = await agent.RegisterAsync();
        ApiClient.AssertJson(JsonNode.Parse("""{"status":"registered"}"""), again.Json);
        Assert.Equal(cached, agent.Token);
        ApiClient.AssertJson(JsonNode.Parse("""{"status":"ok","workspace_status":"online","paused":false}"""), (await agent.HeartbeatAsync()).Json);
        Assert.Equal("online", (await agent.PollStateAsync())["status"]);
        Assert.Equal(2, platform.Events.For(id, EventNames.WorkspaceOnline).Count);

        // deleted: heartbeat 410 (the SDK logs it), state 404 deleted:true ends the loop
        await platform.AdminAsync(HttpMethod.Delete, $"/workspaces/{id}");
        (await agent.HeartbeatAsync()).AssertError(410, "workspace removed");
        var gone = await agent.PollStateAsync();
        Assert.Equal(404, gone.Status);
        ApiClient.AssertJson(new JsonObject { ["workspace_id"] = id, ["status"] = "removed", ["deleted"] = true }, gone.Json);
    }

    [Fact]
    public async Task Origin_from_the_SDK_is_never_a_reason_to_refuse()
    {
        var id = (await platform.CreateWorkspaceAsync("origin"))["id"]!.GetValue<string>();
        var agent = new SdkAgent(platform, id);

        await agent.RegisterAsync();
        var beat = await agent.HeartbeatAsync();

        Assert.Equal(200, beat.Status);
        Assert.Null(beat.Header("Access-Control-Allow-Origin"));
    }
}
