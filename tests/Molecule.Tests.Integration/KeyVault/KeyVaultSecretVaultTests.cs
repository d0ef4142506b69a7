using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Molecule.Core.Secrets;

namespace Molecule.Tests.Integration.KeyVault;

/// <summary>The Key Vault adapter through the real SecretClient against <see cref="TestKeyVault"/> over HTTPS.</summary>
public sealed class KeyVaultSecretVaultTests : IAsyncLifetime
{
    private const string Value = "sk-live-value-0123456789";

    private static readonly IReadOnlyDictionary<string, string> Tags =
        new Dictionary<string, string> { ["workspace"] = "5b0d7f0e-3c1a-4a8e-9a51-6d2f3e4c5b6a", ["key"] = "OPENAI_KEY" };

    private readonly FakeTokenCredential credential = new();
    private readonly RequestCountingPolicy clientRequests = new();
    private TestKeyVault vault = null!;
    private KeyVaultSecretVault secrets = null!;

    public async Task InitializeAsync()
    {
        vault = await TestKeyVault.StartAsync();
        secrets = new KeyVaultSecretVault(vault.VaultUri, credential, Options());
    }

    public async Task DisposeAsync() => await vault.DisposeAsync();

    private SecretClientOptions Options()
    {
        // Production settings with a short base delay, so retries that are not told a Retry-After are quick.
        var options = KeyVaultSecretVault.DefaultOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.DisableChallengeResourceVerification = true;
        options.Transport = vault.CreateTransport();
        options.AddPolicy(clientRequests, HttpPipelinePosition.PerRetry);
        return options;
    }

    [Fact]
    public async Task Set_then_get_returns_the_value_and_stores_the_tags()
    {
        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);

        var value = await secrets.GetAsync("w-one", CancellationToken.None);

        Assert.Equal(Value, value);
        var stored = await new SecretClient(vault.VaultUri, credential, Options()).GetSecretAsync("w-one");
        Assert.Equal(Tags.OrderBy(t => t.Key), stored.Value.Properties.Tags.OrderBy(t => t.Key));
    }

    [Fact]
    public async Task Set_twice_replaces_the_value()
    {
        await secrets.SetAsync("w-one", "first", Tags, CancellationToken.None);
        await secrets.SetAsync("w-one", "second", Tags, CancellationToken.None);

        Assert.Equal("second", await secrets.GetAsync("w-one", CancellationToken.None));
    }

    [Fact]
    public async Task Get_of_a_missing_secret_is_null()
    {
        var value = await secrets.GetAsync("w-missing", CancellationToken.None);

        Assert.Null(value);
        Assert.True(vault.CountRequests("GET", "/secrets/w-missing") >= 1);
    }

    [Fact]
    public async Task Delete_then_get_is_null()
    {
        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);

        await secrets.DeleteAsync("w-one", CancellationToken.None);

        Assert.Null(await secrets.GetAsync("w-one", CancellationToken.None));
        Assert.True(vault.IsDeleted("w-one"));
    }

    [Fact]
    public async Task Delete_of_a_missing_secret_is_not_an_error()
    {
        await secrets.DeleteAsync("w-missing", CancellationToken.None);

        Assert.True(vault.CountRequests("DELETE", "/secrets/w-missing") >= 1);
        Assert.False(vault.IsDeleted("w-missing"));
    }

    [Fact]
    public async Task Set_after_delete_recovers_the_soft_deleted_name_and_writes_the_new_value()
    {
        await secrets.SetAsync("w-one", "old", Tags, CancellationToken.None);
        await secrets.DeleteAsync("w-one", CancellationToken.None);

        await secrets.SetAsync("w-one", "new", Tags, CancellationToken.None);

        Assert.Equal("new", await secrets.GetAsync("w-one", CancellationToken.None));
        Assert.Equal(1, vault.CountRequests("POST", "/deletedsecrets/w-one/recover"));
        Assert.False(vault.IsDeleted("w-one"));
        Assert.Equal(0, vault.CountRequests("DELETE", "/deletedsecrets/w-one"));
    }

    [Fact]
    public async Task Set_of_a_name_deleted_in_the_past_recovers_it()
    {
        vault.SeedDeleted("g-old", "stale");

        await secrets.SetAsync("g-old", Value, Tags, CancellationToken.None);

        Assert.Equal(Value, await secrets.GetAsync("g-old", CancellationToken.None));
        Assert.Equal(1, vault.CountRequests("POST", "/deletedsecrets/g-old/recover"));
    }

    [Fact]
    public async Task Get_throttled_with_retry_after_is_retried_after_the_delay_and_succeeds()
    {
        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);
        vault.FailNext(1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1, path: "/secrets/w-one");
        var stopwatch = Stopwatch.StartNew();

        var value = await secrets.GetAsync("w-one", CancellationToken.None);

        Assert.Equal(Value, value);
        Assert.True(vault.CountRequests("GET", "/secrets/w-one") >= 2);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {stopwatch.Elapsed}, before Retry-After");
    }

    [Fact]
    public async Task Set_answered_503_once_is_retried_and_succeeds()
    {
        vault.FailNext(1, HttpStatusCode.ServiceUnavailable, path: "/secrets/w-one");

        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);

        Assert.Equal(Value, await secrets.GetAsync("w-one", CancellationToken.None));
        Assert.True(vault.CountRequests("PUT", "/secrets/w-one") >= 2);
    }

    [Fact]
    public async Task Throttling_past_the_retry_budget_is_a_vault_failure()
    {
        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);
        vault.FailNext(10, HttpStatusCode.TooManyRequests, retryAfterSeconds: 0, path: "/secrets/w-one");

        var error = await Assert.ThrowsAsync<SecretVaultException>(() => secrets.GetAsync("w-one", CancellationToken.None));

        Assert.Equal("secret read failed", error.Message);
        Assert.Equal(4, vault.CountRequests("GET", "/secrets/w-one")); // the first try and MaxRetries = 3
    }

    [Fact]
    public async Task Persistent_500_on_read_is_a_vault_failure_that_never_shows_the_value()
    {
        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);
        vault.FailReadsOf("w-one");

        var error = await Assert.ThrowsAsync<SecretVaultException>(() => secrets.GetAsync("w-one", CancellationToken.None));

        Assert.Equal("secret read failed", error.Message);
        Assert.DoesNotContain(Value, error.Message);
        Assert.DoesNotContain(Value, error.ToString());
        Assert.Equal(500, Assert.IsType<RequestFailedException>(error.InnerException).Status);
    }

    [Fact]
    public async Task Write_refused_by_the_vault_is_a_vault_failure_that_never_shows_the_value()
    {
        vault.FailNext(10, HttpStatusCode.ServiceUnavailable, path: "/secrets/w-one");

        var error = await Assert.ThrowsAsync<SecretVaultException>(() => secrets.SetAsync("w-one", Value, Tags, CancellationToken.None));

        Assert.Equal("secret write failed", error.Message);
        Assert.DoesNotContain(Value, error.ToString());
    }

    [Fact]
    public async Task An_unreachable_vault_is_a_vault_failure()
    {
        var address = vault.VaultUri;
        await vault.DisposeAsync();
        vault = await TestKeyVault.StartAsync();
        var unreachable = new KeyVaultSecretVault(address, credential, Options());

        await Assert.ThrowsAsync<SecretVaultException>(() => unreachable.GetAsync("w-one", CancellationToken.None));
    }

    [Fact]
    public async Task The_client_answers_the_bearer_challenge_and_then_sends_the_token()
    {
        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);
        await secrets.GetAsync("w-one", CancellationToken.None);

        var requests = vault.Requests;
        Assert.Null(requests[0].Token);
        Assert.All(requests.Skip(1), r => Assert.Equal(FakeTokenCredential.Token, r.Token));
        Assert.Equal(3, requests.Count); // challenged PUT, PUT with token, GET
        Assert.Contains("https://vault.azure.net/.default", credential.ScopesRequested);
        Assert.All(requests, r => Assert.NotEmpty(r.ApiVersion)); // 4.12.0 sends 2026-04-01
    }

    [Fact]
    public async Task Once_the_challenge_is_done_a_get_costs_exactly_one_request()
    {
        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);
        clientRequests.Reset();

        await secrets.GetAsync("w-one", CancellationToken.None);

        Assert.Equal(1, clientRequests.Count);
    }

    [Fact]
    public async Task Once_the_challenge_is_done_a_set_and_a_delete_cost_one_request_each()
    {
        await secrets.GetAsync("w-warm", CancellationToken.None);
        clientRequests.Reset();

        await secrets.SetAsync("w-one", Value, Tags, CancellationToken.None);
        var afterSet = clientRequests.Count;
        await secrets.DeleteAsync("w-one", CancellationToken.None);

        Assert.Equal(1, afterSet);
        Assert.Equal(2, clientRequests.Count);
    }
}

public sealed class VaultNameTests
{
    private const string WorkspaceId = "5b0d7f0e-3c1a-4a8e-9a51-6d2f3e4c5b6a";
    private static readonly Regex KeyVaultName = new("^[0-9a-zA-Z-]{1,127}$");

    [Fact]
    public void A_workspace_key_maps_to_w_the_workspace_hex_and_40_hex_of_the_key_hash()
    {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        Assert.Equal("w-5b0d7f0e3c1a4a8e9a516d2f3e4c5b6a-ba7816bf8f01cfea414140de5dae2223b00361a3", SecretNames.VaultName(WorkspaceId, "abc"));
    }

    [Fact]
    public void A_global_key_maps_to_g_and_40_hex_of_the_key_hash()
    {
        Assert.Equal("g-ba7816bf8f01cfea414140de5dae2223b00361a3", SecretNames.VaultName(null, "abc"));
    }

    [Theory]
    [InlineData("A")]
    [InlineData("OPENAI_KEY")]
    [InlineData("_")]
    [InlineData("K_0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456")]
    public void Names_are_valid_key_vault_names(string key)
    {
        var workspaceName = SecretNames.VaultName(WorkspaceId, key);
        var globalName = SecretNames.VaultName(null, key);

        Assert.Matches(KeyVaultName, workspaceName);
        Assert.Matches(KeyVaultName, globalName);
        Assert.True(workspaceName.Length <= 127);
        Assert.Equal(75, workspaceName.Length);
        Assert.Equal(42, globalName.Length);
    }

    [Fact]
    public void Keys_that_differ_only_by_case_get_names_that_differ_ignoring_case()
    {
        var upper = SecretNames.VaultName(WorkspaceId, "OPENAI_KEY");
        var lower = SecretNames.VaultName(WorkspaceId, "openai_key");

        Assert.NotEqual(upper, lower, StringComparer.OrdinalIgnoreCase);
        Assert.NotEqual(SecretNames.VaultName(null, "OPENAI_KEY"), SecretNames.VaultName(null, "openai_key"), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Global_and_workspace_names_of_one_key_differ()
    {
        Assert.NotEqual(SecretNames.VaultName(null, "OPENAI_KEY"), SecretNames.VaultName(WorkspaceId, "OPENAI_KEY"));
    }

    [Fact]
    public void The_same_key_in_two_workspaces_gets_two_names()
    {
        Assert.NotEqual(
            SecretNames.VaultName(WorkspaceId, "OPENAI_KEY"),
            SecretNames.VaultName("00000000-0000-4000-8000-000000000000", "OPENAI_KEY"));
    }

    [Fact]
    public void The_mapping_is_deterministic()
    {
        Assert.Equal(SecretNames.VaultName(WorkspaceId, "OPENAI_KEY"), SecretNames.VaultName(WorkspaceId, "OPENAI_KEY"));
        Assert.Equal(SecretNames.VaultName(null, "OPENAI_KEY"), SecretNames.VaultName(null, "OPENAI_KEY"));
    }

    [Fact]
    public void A_workspace_id_that_is_not_a_lowercase_uuid_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SecretNames.VaultName("../other", "OPENAI_KEY"));
        Assert.Throws<ArgumentException>(() => SecretNames.VaultName(WorkspaceId.ToUpperInvariant(), "OPENAI_KEY"));
    }
}
