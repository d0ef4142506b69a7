using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Molecule.Core.Events;
using Molecule.LocalHost;
using Molecule.Tests.Integration.Infrastructure;
using Molecule.Tests.Integration.Registry;

namespace Molecule.Tests.Integration.Messaging;

/// <summary>Delegation (contract §3.10), both request shapes, poll and push targets.</summary>
public sealed class DelegationTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly TestPlatform platform = fixture.Platform;

    /// <summary>The SDK's shape: target in the path, source in X-Workspace-ID.</summary>
    private Task<ApiResponse> Delegate(Agent source, string targetId, object body) =>
        platform.SendAsync(HttpMethod.Post, $"/workspaces/{targetId}/delegate", body, source.Token,
            new Dictionary<string, string> { ["X-Workspace-ID"] = source.Id });

    private Task<int> DrainAsync() =>
        platform.Services.GetRequiredService<QueueFunctions>().DrainAsync("DelegationDial", CancellationToken.None);

    [Fact]
    public async Task A_delegation_to_a_poll_target_is_queued_in_its_inbox_before_the_answer()
    {
        var source = await platform.CreateClaimedAsync("lead");
        var target = await platform.CreateClaimedAsync("worker");

        var response = await Delegate(source, target.Id, new { task = "Summarise the failed builds", idempotency_key = "k-1" });

        Assert.Equal(202, response.Status);
        var id = response["delegation_id"]!;
        ApiClient.AssertJson(new JsonObject { ["delegation_id"] = id, ["status"] = "queued", ["target_id"] = target.Id }, response.Json);
        var inbox = (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{target.Id}/activity?type=a2a_receive&limit=10", bearer: target.Token)).Array.Single()!;
        ApiClient.AssertJson(JsonNode.Parse($$$"""
            {"role":"user","messageId":"{{{id}}}","parts":[{"kind":"text","text":"Summarise the failed builds"}],"metadata":{"delegation_id":"{{{id}}}"}}
            """), inbox["request_body"]!["params"]!["message"]);
        Assert.Equal("Summarise the failed builds", inbox["data"]!["text"]!.GetValue<string>());
        Assert.Equal(source.Id, inbox["data"]!["peer_id"]!.GetValue<string>());
        var sent = Assert.Single(platform.Events.For(source.Id, EventNames.DelegationSent));
        ApiClient.AssertJson(new JsonObject { ["delegation_id"] = id, ["target_id"] = target.Id, ["task_preview"] = "Summarise the failed builds" }, sent.Payload);
        var tracking = (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{source.Id}/activity?type=delegation", bearer: source.Token)).Array.Single()!;
        Assert.Equal("queued", tracking["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_first_delegation()
    {
        var source = await platform.CreateClaimedAsync();
        var target = await platform.CreateClaimedAsync();
        var first = await Delegate(source, target.Id, new { task = "once", idempotency_key = "same-key" });

        var again = await Delegate(source, target.Id, new { task = "once", idempotency_key = "same-key" });

        ApiClient.AssertJson(new JsonObject
        {
            ["delegation_id"] = first["delegation_id"], ["status"] = "queued", ["target_id"] = target.Id, ["idempotent_hit"] = true,
        }, again.Json);
        Assert.Equal(200, again.Status);
        Assert.Single((await platform.SendAsync(HttpMethod.Get, $"/workspaces/{source.Id}/delegations", bearer: source.Token)).Array);
    }

    [Fact]
    public async Task A_push_delegation_is_dialled_by_the_queue_function_and_completes()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Respond = c => TestAgent.Json(c, 200, """{"jsonrpc":"2.0","id":"x","result":{"parts":[{"kind":"text","text":"3 builds failed"}]}}""");
        var source = await platform.CreateClaimedAsync("lead");
        var target = await platform.CreateClaimedAsync("pusher");
        await platform.RegisterAsync(target.Id, target.Token, url: agent.Url);

        var response = await Delegate(source, target.Id, new { task = "count failures" });
        Assert.Empty(agent.Requests); // nothing is dialled inside the HTTP invocation
        var handled = await DrainAsync();

        Assert.Equal(202, response.Status);
        Assert.Equal("delegated", response["status"]);
        Assert.True(handled >= 1);
        var received = JsonNode.Parse(Assert.Single(agent.Requests).Body)!;
        Assert.Equal(response["delegation_id"], received["params"]!["message"]!["messageId"]!.GetValue<string>());
        var done = Assert.Single(platform.Events.For(source.Id, EventNames.DelegationComplete));
        ApiClient.AssertJson(new JsonObject
        {
            ["delegation_id"] = response["delegation_id"], ["target_id"] = target.Id, ["response_preview"] = "3 builds failed",
        }, done.Payload);
        var listed = (await platform.SendAsync(HttpMethod.Get, $"/workspaces/{source.Id}/delegations", bearer: platform.AdminToken)).Array.Single()!;
        Assert.Equal("completed", listed["status"]!.GetValue<string>());
        Assert.Equal("3 builds failed", listed["response_preview"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failed_push_delegation_reports_the_error_and_can_be_replaced()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Respond = c => TestAgent.Json(c, 500, """{"error":"busy"}""");
        var source = await platform.CreateClaimedAsync();
        var target = await platform.CreateClaimedAsync();
        await platform.RegisterAsync(target.Id, target.Token, url: agent.Url);
        var first = await Delegate(source, target.Id, new { task = "try", idempotency_key = "retry-me" });
        await DrainAsync();

        var again = await Delegate(source, target.Id, new { task = "try", idempotency_key = "retry-me" });

        var failed = Assert.Single(platform.Events.For(source.Id, EventNames.DelegationFailed));
        ApiClient.AssertJson(new JsonObject { ["delegation_id"] = first["delegation_id"], ["target_id"] = target.Id, ["error"] = "agent returned 500" }, failed.Payload);
        Assert.Equal(202, again.Status);
        Assert.NotEqual(first["delegation_id"], again["delegation_id"]);
        Assert.Single(agent.Requests); // exactly one attempt for the failed one
    }

    [Fact]
    public async Task The_body_shape_names_the_target_and_the_path_the_source()
    {
        var source = await platform.CreateClaimedAsync();
        var target = await platform.CreateClaimedAsync();

        var ok = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{source.Id}/delegate", new { target_id = target.Id, task = "t" }, source.Token);
        var mismatch = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{source.Id}/delegate", new { target_id = target.Id, task = "t" }, source.Token,
            new Dictionary<string, string> { ["X-Workspace-ID"] = target.Id });
        var neither = await platform.SendAsync(HttpMethod.Post, $"/workspaces/{source.Id}/delegate", new { task = "t" }, source.Token);

        Assert.Equal(202, ok.Status);
        Assert.Equal(target.Id, ok["target_id"]);
        mismatch.AssertError(400, "invalid header", "X-Workspace-ID: must match the delegating workspace");
        neither.AssertError(400, "invalid request body", "target_id: required");
    }

    [Fact]
    public async Task Refusals_in_contract_order()
    {
        var source = await platform.CreateClaimedAsync();
        var cousin = await platform.CreateClaimedAsync("cousin", (await platform.CreateClaimedAsync("other-root")).Id);
        var paused = await platform.CreateClaimedAsync();
        await platform.AdminAsync(HttpMethod.Post, $"/workspaces/{paused.Id}/pause");
        var unclaimed = (await platform.CreateWorkspaceAsync("unclaimed"))["id"]!.GetValue<string>();

        (await Delegate(source, source.Id, new { task = "me" })).AssertError(400, "self-delegation not permitted");
        (await Delegate(source, unclaimed, new { task = "t" })).AssertError(404, "workspace not found");
        (await Delegate(source, cousin.Id, new { task = "t" })).AssertError(403, "access denied: workspaces cannot communicate per hierarchy rules");
        (await Delegate(source, paused.Id, new { task = "t" })).AssertError(409, "workspace paused");
        (await Delegate(source, paused.Id, new { task = "" })).AssertError(400, "invalid request body", "task: required");
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{paused.Id}/delegate", new { task = "t" }, platform.AdminToken,
            new Dictionary<string, string> { ["X-Workspace-ID"] = source.Id })).AssertError(403, "this route requires the workspace's own token");
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{paused.Id}/delegate", new { task = "t" },
            headers: new Dictionary<string, string> { ["X-Workspace-ID"] = source.Id })).AssertError(401, "missing workspace auth token");
        (await platform.SendAsync(HttpMethod.Post, $"/workspaces/{paused.Id}/delegate", new { task = "t" }, cousin.Token,
            new Dictionary<string, string> { ["X-Workspace-ID"] = source.Id })).AssertError(401, "invalid workspace auth token");
    }

    [Fact]
    public async Task Delegations_are_listed_newest_first_and_only_to_their_source()
    {
        var source = await platform.CreateClaimedAsync();
        var target = await platform.CreateClaimedAsync();
        var first = await Delegate(source, target.Id, new { task = "first" });
        var second = await Delegate(source, target.Id, new { task = "second", idempotency_key = "k2" });

        var list = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{source.Id}/delegations?limit=10", bearer: source.Token);
        var foreign = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{source.Id}/delegations", bearer: target.Token);
        var badLimit = await platform.SendAsync(HttpMethod.Get, $"/workspaces/{source.Id}/delegations?limit=201", bearer: source.Token);

        Assert.Equal(new[] { second["delegation_id"], first["delegation_id"] }, list.Array.Select(d => d!["delegation_id"]!.GetValue<string>()));
        var row = list.Array[0]!.AsObject();
        Assert.Equal(new[] { "delegation_id", "source_id", "target_id", "task_preview", "status", "idempotency_key", "created_at", "updated_at" }, row.Select(p => p.Key));
        Assert.Equal("k2", row["idempotency_key"]!.GetValue<string>());
        foreign.AssertError(401, "invalid workspace auth token");
        badLimit.AssertError(400, "invalid query parameter", "limit: must be an integer between 1 and 200");
    }
}
