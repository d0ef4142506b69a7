using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Molecule.Core.Events;
using Molecule.Core.Liveness;
using Molecule.Core.Workspaces;
using Molecule.Tests.Integration.Infrastructure;

namespace Molecule.Tests.Integration.Registry;

/// <summary>POST /registry/heartbeat — contract §3.5.3 and the transitions of §2.3.</summary>
public sealed class HeartbeatTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    private async Task<string> StatusOf(string id) => (await platform.GetAsAdminAsync(id))["status"]!.GetValue<string>();

    private Task<ApiResponse> Raw(string body, string? bearer) =>
        platform.SendAsync(HttpMethod.Post, "/registry/heartbeat", rawBody: body, bearer: bearer);

    // ── transitions ─────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task A_first_heartbeat_brings_an_awaiting_workspace_online()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token);

        response.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        Assert.Equal("online", await StatusOf(ws.Id));
        var e = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        ApiClient.AssertJson(JsonNode.Parse("""{"previous_status":"awaiting_agent"}"""), e.Payload);
    }

    [Fact]
    public async Task A_heartbeat_stores_its_fields_and_the_time()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.SendAsync(HttpMethod.Post, "/registry/heartbeat", new JsonObject
        {
            ["workspace_id"] = ws.Id, ["current_task"] = "indexing", ["active_tasks"] = 3, ["error_rate"] = 0.25,
            ["sample_error"] = "timeout", ["uptime_seconds"] = 812,
        }.ToJsonString(), ws.Token);

        response.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("indexing", after["current_task"]!.GetValue<string>());
        Assert.Equal(3, after["active_tasks"]!.GetValue<int>());
        Assert.Equal(0.25, after["last_error_rate"]!.GetValue<double>());
        Assert.Equal("timeout", after["last_sample_error"]!.GetValue<string>());
        Assert.Equal(812, after["uptime_seconds"]!.GetValue<long>());
        var at = DateTimeOffset.Parse(after["last_heartbeat_at"]!.GetValue<string>());
        Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Only_workspace_id_is_required_and_the_rest_defaults_to_zero_and_empty()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.3, currentTask: "x", activeTasks: 2, sampleError: "e");

        var response = await Raw($$"""{"workspace_id":"{{ws.Id}}"}""", ws.Token);

        response.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal("", after["current_task"]!.GetValue<string>());
        Assert.Equal(0, after["active_tasks"]!.GetValue<int>());
        Assert.Equal(0, after["last_error_rate"]!.GetValue<double>());
        Assert.Equal("", after["last_sample_error"]!.GetValue<string>());
        Assert.Equal(0, after["uptime_seconds"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_error_rate_of_one_half_degrades_the_workspace()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.5, sampleError: "upstream 502");

        response.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        Assert.Equal("degraded", await StatusOf(ws.Id));
        var e = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceDegraded));
        ApiClient.AssertJson(JsonNode.Parse("""{"error_rate":0.5,"sample_error":"upstream 502","runtime_state":""}"""), e.Payload);
        Assert.Empty(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
    }

    [Fact]
    public async Task An_online_workspace_degrades_at_an_error_rate_of_one_half()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.49);
        Assert.Equal("online", await StatusOf(ws.Id));

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.5, sampleError: "boom");

        response.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        var e = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceDegraded));
        ApiClient.AssertJson(JsonNode.Parse("""{"error_rate":0.5,"sample_error":"boom","runtime_state":""}"""), e.Payload);
    }

    [Fact]
    public async Task A_wedged_runtime_degrades_the_workspace_whatever_the_error_rate()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0, runtimeState: "wedged");

        response.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        var e = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceDegraded));
        ApiClient.AssertJson(JsonNode.Parse("""{"error_rate":0,"sample_error":"","runtime_state":"wedged"}"""), e.Payload);
    }

    [Fact]
    public async Task A_degraded_workspace_stays_degraded_at_0_2_without_an_event()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.6);
        var events = platform.Events.For(ws.Id).Count;

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.2);

        response.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        Assert.Equal("degraded", await StatusOf(ws.Id));
        Assert.Equal(events, platform.Events.For(ws.Id).Count);
    }

    [Fact]
    public async Task A_degraded_workspace_that_is_still_wedged_stays_degraded()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, runtimeState: "wedged");
        var events = platform.Events.For(ws.Id).Count;

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0, runtimeState: "wedged");

        response.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        Assert.Equal(events, platform.Events.For(ws.Id).Count);
    }

    [Fact]
    public async Task A_degraded_workspace_recovers_below_0_1()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.7);

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.05);

        response.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        Assert.Equal("online", await StatusOf(ws.Id));
        var online = Assert.Single(platform.Events.For(ws.Id, EventNames.WorkspaceOnline));
        ApiClient.AssertJson(JsonNode.Parse("""{"previous_status":"degraded"}"""), online.Payload);
    }

    [Fact]
    public async Task A_paused_workspace_stays_paused_and_says_so()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token);
        await platform.PauseAsync(ws.Id);
        var events = platform.Events.For(ws.Id).Count;

        var healthy = await platform.HeartbeatAsync(ws.Id, ws.Token);
        var failing = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 1, runtimeState: "wedged");

        healthy.AssertBody(200, JsonNode.Parse("""{"status":"ok","workspace_status":"paused","paused":true}""")!);
        failing.AssertBody(200, JsonNode.Parse("""{"status":"ok","workspace_status":"paused","paused":true}""")!);
        Assert.Equal("paused", await StatusOf(ws.Id));
        Assert.Equal(events, platform.Events.For(ws.Id).Count);
    }

    [Fact]
    public async Task A_plain_repeated_heartbeat_emits_nothing()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: "steady", activeTasks: 1);
        var events = platform.Events.For(ws.Id).Count;

        var again = await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: "steady", activeTasks: 1);
        var third = await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: "steady", activeTasks: 1);

        again.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        third.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        Assert.Equal(events, platform.Events.For(ws.Id).Count);
    }

    [Fact]
    public async Task TASK_UPDATED_is_emitted_only_when_current_task_changes()
    {
        var ws = await platform.CreateClaimedAsync();

        await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: "build", activeTasks: 2);
        await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: "build", activeTasks: 5);
        await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: "", activeTasks: 0);

        var tasks = platform.Events.For(ws.Id, EventNames.TaskUpdated);
        Assert.Equal(2, tasks.Count);
        ApiClient.AssertJson(JsonNode.Parse("""{"current_task":"build","active_tasks":2}"""), tasks[0].Payload);
        ApiClient.AssertJson(JsonNode.Parse("""{"current_task":"","active_tasks":0}"""), tasks[1].Payload);
    }

    [Fact]
    public async Task A_first_heartbeat_with_an_empty_task_emits_no_TASK_UPDATED()
    {
        var ws = await platform.CreateClaimedAsync();

        await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: "", activeTasks: 4);

        Assert.Empty(platform.Events.For(ws.Id, EventNames.TaskUpdated));
    }

    [Fact]
    public async Task A_derived_offline_workspace_comes_back_online_with_previous_status_offline()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateClaimedAsync();
        await clocked.HeartbeatAsync(ws.Id, ws.Token);
        time.Advance(TimeSpan.FromSeconds(91));
        Assert.Equal("offline", (await clocked.GetAsAdminAsync(ws.Id))["status"]!.GetValue<string>());

        var response = await clocked.HeartbeatAsync(ws.Id, ws.Token);

        response.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        var online = clocked.Events.For(ws.Id, EventNames.WorkspaceOnline);
        Assert.Equal(2, online.Count);
        ApiClient.AssertJson(JsonNode.Parse("""{"previous_status":"offline"}"""), online[1].Payload);
    }

    [Fact]
    public async Task A_derived_offline_degraded_workspace_with_a_moderate_error_rate_comes_back_online()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateClaimedAsync();
        await clocked.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.8);
        time.Advance(TimeSpan.FromSeconds(91));

        // offline (derived) follows the online rules: 0.2 < 0.5 → online.
        var response = await clocked.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.2);

        response.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        var online = Assert.Single(clocked.Events.For(ws.Id, EventNames.WorkspaceOnline));
        ApiClient.AssertJson(JsonNode.Parse("""{"previous_status":"offline"}"""), online.Payload);
    }

    [Fact]
    public async Task A_workspace_the_sweep_stored_offline_comes_back_online_with_previous_status_offline()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateClaimedAsync();
        await clocked.HeartbeatAsync(ws.Id, ws.Token);
        var lastHeartbeat = (await clocked.GetAsAdminAsync(ws.Id))["last_heartbeat_at"]!.GetValue<string>();
        time.Advance(TimeSpan.FromSeconds(91));
        // Sweep only this workspace: the tables are shared with tests running in parallel.
        var row = await clocked.Services.GetRequiredService<WorkspaceStore>().GetAsync(ws.Id, CancellationToken.None);
        Assert.True(await clocked.Services.GetRequiredService<OfflineSweep>().TryMarkOfflineAsync(row!, CancellationToken.None));
        var offline = Assert.Single(clocked.Events.For(ws.Id, EventNames.WorkspaceOffline));
        ApiClient.AssertJson(new JsonObject { ["last_heartbeat_at"] = lastHeartbeat }, offline.Payload);

        var response = await clocked.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.3);

        response.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        var online = clocked.Events.For(ws.Id, EventNames.WorkspaceOnline);
        Assert.Equal(2, online.Count);
        ApiClient.AssertJson(JsonNode.Parse("""{"previous_status":"offline"}"""), online[1].Payload);
    }

    [Fact]
    public async Task A_stored_offline_workspace_with_a_high_error_rate_degrades()
    {
        var (clocked, time) = await RegistryApi.StartWithFakeTimeAsync();
        await using var _ = clocked;
        var ws = await clocked.CreateClaimedAsync();
        await clocked.HeartbeatAsync(ws.Id, ws.Token);
        time.Advance(TimeSpan.FromSeconds(120));
        var row = await clocked.Services.GetRequiredService<WorkspaceStore>().GetAsync(ws.Id, CancellationToken.None);
        Assert.True(await clocked.Services.GetRequiredService<OfflineSweep>().TryMarkOfflineAsync(row!, CancellationToken.None));

        var response = await clocked.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.5, sampleError: "still failing");

        response.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        var e = Assert.Single(clocked.Events.For(ws.Id, EventNames.WorkspaceDegraded));
        ApiClient.AssertJson(JsonNode.Parse("""{"error_rate":0.5,"sample_error":"still failing","runtime_state":""}"""), e.Payload);
    }

    [Fact]
    public async Task Recovery_needs_an_error_rate_strictly_below_0_1()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.5);

        var atThreshold = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.1);
        var below = await platform.HeartbeatAsync(ws.Id, ws.Token, errorRate: 0.09);

        atThreshold.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        below.AssertBody(200, RegistryApi.HeartbeatOk("online"));
    }

    [Fact]
    public async Task Range_boundaries_are_accepted()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await Raw($$$"""{"workspace_id":"{{{ws.Id}}}","active_tasks":10000,"error_rate":1,"uptime_seconds":9007199254740991,"runtime_state":""}""", ws.Token);

        response.AssertBody(200, RegistryApi.HeartbeatOk("degraded"));
        var after = await platform.GetAsAdminAsync(ws.Id);
        Assert.Equal(10000, after["active_tasks"]!.GetValue<int>());
        Assert.Equal(9007199254740991, after["uptime_seconds"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_heartbeat_costs_one_point_read_and_one_write_and_then_only_the_write()
    {
        await using var counted = await TestPlatform.StartAsync();
        var warm = await counted.CreateClaimedAsync("warm-up");
        var ws = await counted.CreateClaimedAsync("budget");
        (await counted.HeartbeatAsync(warm.Id, warm.Token)).AssertStatus(200); // tables exist, clients built

        counted.StorageOperations.Reset();
        var cold = await counted.HeartbeatAsync(ws.Id, ws.Token, currentTask: "first");
        var coldOps = counted.StorageOperations.Snapshot();
        counted.StorageOperations.Reset();
        var steady = await counted.HeartbeatAsync(ws.Id, ws.Token, currentTask: "second");
        var steadyOps = counted.StorageOperations.Snapshot();

        cold.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        steady.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        string Show(IReadOnlyDictionary<string, long> ops) => string.Join(", ", ops.Select(kv => $"{kv.Key}={kv.Value}"));
        // first heartbeat on this instance: one point read of the workspace row, one write (a batch with last_used_at)
        Assert.True(coldOps.Values.Sum() == 2 && coldOps.GetValueOrDefault("workspaces:read") == 1, "cold: " + Show(coldOps));
        // next one: a conditional write on the row this instance wrote (the ETag proves nothing changed)
        Assert.True(steadyOps.Values.Sum() == 1 && steadyOps.ContainsKey("workspaces:write"), "steady: " + Show(steadyOps));
    }

    // ── validation ──────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData("\"active_tasks\":10001", "active_tasks: must be an integer between 0 and 10000")]
    [InlineData("\"active_tasks\":-1", "active_tasks: must be an integer between 0 and 10000")]
    [InlineData("\"active_tasks\":1.5", "active_tasks: must be an integer between 0 and 10000")]
    [InlineData("\"active_tasks\":\"3\"", "active_tasks: must be an integer between 0 and 10000")]
    [InlineData("\"error_rate\":1.5", "error_rate: must be a number between 0 and 1")]
    [InlineData("\"error_rate\":-0.1", "error_rate: must be a number between 0 and 1")]
    [InlineData("\"error_rate\":\"0\"", "error_rate: must be a number between 0 and 1")]
    [InlineData("\"uptime_seconds\":-1", "uptime_seconds: must be an integer ≥ 0")]
    [InlineData("\"current_task\":7", "current_task: must be a string")]
    [InlineData("\"sample_error\":false", "sample_error: must be a string")]
    [InlineData("\"runtime_state\":\"sleepy\"", "runtime_state: must be \"\" or \"wedged\"")]
    public async Task An_out_of_range_field_answers_400_naming_it(string field, string detail)
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await Raw($$$"""{"workspace_id":"{{{ws.Id}}}",{{{field}}}}""", ws.Token);

        response.AssertError(400, "invalid request body", detail);
        Assert.Equal("awaiting_agent", await StatusOf(ws.Id));
    }

    [Fact]
    public async Task Text_fields_are_capped_at_4_KiB()
    {
        var ws = await platform.CreateClaimedAsync();

        var atLimit = await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: new string('t', 4096), sampleError: new string('s', 4096));
        var taskOver = await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: new string('t', 4097));
        var multiByteOver = await platform.HeartbeatAsync(ws.Id, ws.Token, currentTask: new string('é', 2049)); // 4098 bytes
        var sampleOver = await platform.HeartbeatAsync(ws.Id, ws.Token, sampleError: new string('s', 4097));

        atLimit.AssertBody(200, RegistryApi.HeartbeatOk("online"));
        taskOver.AssertError(400, "invalid request body", "current_task: must be at most 4096 bytes");
        multiByteOver.AssertError(400, "invalid request body", "current_task: must be at most 4096 bytes");
        sampleOver.AssertError(400, "invalid request body", "sample_error: must be at most 4096 bytes");
    }

    [Fact]
    public async Task Missing_or_malformed_workspace_id_answers_400()
    {
        var ws = await platform.CreateClaimedAsync();

        var missing = await Raw("""{"error_rate":0}""", ws.Token);
        var malformed = await Raw("""{"workspace_id":"ws-1"}""", ws.Token);

        missing.AssertError(400, "invalid request body", "workspace_id: required");
        malformed.AssertError(400, "invalid workspace ID", "workspace_id");
    }

    [Fact]
    public async Task The_body_is_validated_before_authentication()
    {
        var response = await Raw($$"""{"workspace_id":"{{Guid.NewGuid()}}","error_rate":2}""", bearer: null);

        response.AssertError(400, "invalid request body", "error_rate: must be a number between 0 and 1");
    }

    // ── auth ────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public async Task No_bearer_answers_401_missing()
    {
        var ws = await platform.CreateClaimedAsync();

        var none = await platform.HeartbeatAsync(ws.Id, null);
        var basic = await platform.HeartbeatAsync(ws.Id, null, authorization: "Basic abc");

        none.AssertError(401, "missing workspace auth token");
        basic.AssertError(401, "missing workspace auth token");
        Assert.Equal("awaiting_agent", await StatusOf(ws.Id));
    }

    [Fact]
    public async Task Another_workspaces_token_answers_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();

        var response = await platform.HeartbeatAsync(ws.Id, other.Token);

        response.AssertError(401, "invalid workspace auth token");
        Assert.Equal("awaiting_agent", await StatusOf(ws.Id));
        Assert.Equal("awaiting_agent", await StatusOf(other.Id));
    }

    [Fact]
    public async Task The_admin_token_answers_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();

        var response = await platform.HeartbeatAsync(ws.Id, platform.AdminToken);

        response.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task An_unknown_token_or_an_unknown_workspace_answers_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();

        var unknownToken = await platform.HeartbeatAsync(ws.Id, RegistryApi.UnknownToken());
        var unknownWorkspace = await platform.HeartbeatAsync(Guid.NewGuid().ToString(), ws.Token);
        var garbage = await platform.HeartbeatAsync(ws.Id, "not-a-token");

        unknownToken.AssertError(401, "invalid workspace auth token");
        unknownWorkspace.AssertError(401, "invalid workspace auth token");
        garbage.AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task A_removed_workspace_answers_410_to_its_old_token()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token);
        await platform.RemoveAsync(ws.Id);

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token);

        response.AssertBody(410, JsonNode.Parse("""{"error":"workspace removed"}""")!);
        Assert.Equal("removed", await StatusOf(ws.Id));
    }

    [Fact]
    public async Task A_removed_workspace_answers_410_to_a_token_revoked_before_removal()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.RevokeAsync(ws.Id, ws.Token!);
        await platform.RemoveAsync(ws.Id);

        var response = await platform.HeartbeatAsync(ws.Id, ws.Token);

        response.AssertBody(410, JsonNode.Parse("""{"error":"workspace removed"}""")!);
    }

    [Fact]
    public async Task A_removed_workspace_answers_401_to_a_token_never_issued_to_it()
    {
        var ws = await platform.CreateClaimedAsync();
        var other = await platform.CreateClaimedAsync();
        await platform.RemoveAsync(ws.Id);

        var foreign = await platform.HeartbeatAsync(ws.Id, other.Token);
        var none = await platform.HeartbeatAsync(ws.Id, null);

        foreign.AssertError(401, "invalid workspace auth token");
        none.AssertError(401, "missing workspace auth token");
    }

    [Fact]
    public async Task A_revoked_token_of_a_live_workspace_answers_401_invalid()
    {
        var ws = await platform.CreateClaimedAsync();
        await platform.HeartbeatAsync(ws.Id, ws.Token); // warm any validated-token cache
        var (_, spare) = await platform.MintAsync(ws.Id);
        await platform.RevokeAsync(ws.Id, ws.Token!);

        var revoked = await platform.HeartbeatAsync(ws.Id, ws.Token);
        var live = await platform.HeartbeatAsync(ws.Id, spare);

        revoked.AssertError(401, "invalid workspace auth token");
        live.AssertBody(200, RegistryApi.HeartbeatOk("online"));
    }
}
