using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Molecule.Core.Api;

namespace Molecule.Core.Secrets;

/// <summary>
/// The vault port on Azure Key Vault through <see cref="SecretClient"/> and a token credential (managed
/// identity in Azure). Throttling (429/503 with Retry-After) is retried by the client's own retry policy.
/// </summary>
public sealed class KeyVaultSecretVault : ISecretVault
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecoveryPollInterval = TimeSpan.FromSeconds(1);

    private readonly SecretClient client;

    public KeyVaultSecretVault(Uri vaultUri, TokenCredential credential, SecretClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(credential);
        client = new SecretClient(vaultUri, credential, options ?? DefaultOptions());
    }

    public static SecretClientOptions DefaultOptions()
    {
        var options = new SecretClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(4);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }

    public async Task<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetSecretAsync(name, cancellationToken: cancellationToken);
            return response.Value.Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (IsVaultFailure(e, cancellationToken))
        {
            throw new SecretVaultException("secret read failed", e);
        }
    }

    public async Task SetAsync(string name, string value, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                await client.SetSecretAsync(NewSecret(name, value, tags), cancellationToken);
            }
            catch (RequestFailedException e) when (IsDeletedButRecoverable(e))
            {
                // The name is held by a soft-deleted secret. Purging would free it, but the deployment turns on
                // purge protection (a deleted secret stays recoverable for its retention period), under which
                // Key Vault refuses purge; recovering it and writing a new version is the one way to reuse the name.
                await RecoverAsync(name, cancellationToken);
                await client.SetSecretAsync(NewSecret(name, value, tags), cancellationToken);
            }
        }
        catch (Exception e) when (IsVaultFailure(e, cancellationToken))
        {
            throw new SecretVaultException("secret write failed", e);
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            // Deletion completes in the background; the name is reusable (by recovery) whether or not it has finished.
            await client.StartDeleteSecretAsync(name, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        catch (Exception e) when (IsVaultFailure(e, cancellationToken))
        {
            throw new SecretVaultException("secret delete failed", e);
        }
    }

    private async Task RecoverAsync(string name, CancellationToken cancellationToken)
    {
        RecoverDeletedSecretOperation operation;
        try
        {
            operation = await client.StartRecoverDeletedSecretAsync(name, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409)
        {
            return; // recovered or purged meanwhile by another writer: the next set decides
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RecoveryTimeout);
        try
        {
            await operation.WaitForCompletionAsync(RecoveryPollInterval, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SecretVaultException("secret recovery did not complete in time");
        }
    }

    private static KeyVaultSecret NewSecret(string name, string value, IReadOnlyDictionary<string, string> tags)
    {
        var secret = new KeyVaultSecret(name, value);
        foreach (var (tag, tagValue) in tags) secret.Properties.Tags[tag] = tagValue;
        return secret;
    }

    private static bool IsDeletedButRecoverable(RequestFailedException e)
    {
        if (e.Status != 409) return false;
        var content = e.GetRawResponse()?.Content;
        if (content is null) return false;
        try
        {
            using var document = JsonDocument.Parse(content.ToMemory());
            return document.RootElement.TryGetProperty("error", out var error)
                && error.TryGetProperty("innererror", out var inner)
                && inner.TryGetProperty("code", out var code)
                && code.ValueEquals("ObjectIsDeletedButRecoverable");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsVaultFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        SecretVaultException => false,
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        RequestFailedException or AggregateException or HttpRequestException or OperationCanceledException
            or IOException or AuthenticationFailedException => true,
        _ => false,
    };
}
