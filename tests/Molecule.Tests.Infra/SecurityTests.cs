namespace Molecule.Tests.Infra;

/// <summary>The security properties the deployment promises, read from the compiled template.</summary>
public class SecurityTests
{
    private readonly CompiledTemplate template = CompiledTemplate.Main;

    [Fact]
    public void Storage_accepts_only_entra_id_over_tls_1_2_with_no_public_blobs()
    {
        var storage = template.Single("Microsoft.Storage/storageAccounts");

        Assert.False(storage.Node("properties.allowSharedKeyAccess")!.GetValue<bool>());
        Assert.True(storage.Node("properties.defaultToOAuthAuthentication")!.GetValue<bool>());
        Assert.Equal("TLS1_2", storage.Str("properties.minimumTlsVersion"));
        Assert.False(storage.Node("properties.allowBlobPublicAccess")!.GetValue<bool>());
        Assert.True(storage.Node("properties.supportsHttpsTrafficOnly")!.GetValue<bool>());
        Assert.All(template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", c.Str("properties.publicAccess")));
    }

    [Fact]
    public void Key_vault_uses_rbac_with_soft_delete_and_purge_protection()
    {
        var vault = template.Single("Microsoft.KeyVault/vaults");

        Assert.True(vault.Node("properties.enableRbacAuthorization")!.GetValue<bool>());
        Assert.True(vault.Node("properties.enableSoftDelete")!.GetValue<bool>());
        Assert.True(vault.Node("properties.enablePurgeProtection")!.GetValue<bool>());
        Assert.True(vault.Node("properties.softDeleteRetentionInDays")!.GetValue<int>() >= 7);
        Assert.Null(vault.Node("properties.accessPolicies"));
    }

    [Fact]
    public void SignalR_runs_serverless_with_local_auth_disabled()
    {
        var signalR = template.Single("Microsoft.SignalRService/signalR");

        var features = signalR.Node("properties.features")!.AsArray();
        var mode = Assert.Single(features, f => (string?)f!["flag"] == "ServiceMode");
        Assert.Equal("Serverless", (string?)mode!["value"]);
        Assert.True(signalR.Node("properties.disableLocalAuth")!.GetValue<bool>());
        Assert.False(signalR.Node("properties.disableAadAuth")!.GetValue<bool>());
    }

    [Fact]
    public void Telemetry_lands_in_log_analytics_and_accepts_only_entra_id_ingestion()
    {
        var insights = template.Single("Microsoft.Insights/components");
        var workspace = template.Single("Microsoft.OperationalInsights/workspaces");

        Assert.True(insights.Node("properties.DisableLocalAuth")!.GetValue<bool>());
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights.Str("properties.WorkspaceResourceId"));
        Assert.True(workspace.Node("properties.features.disableLocalAuth")!.GetValue<bool>());
        var settings = AppSettings.Of(template);
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
            settings.Raw["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal(("identity", "clientId"), Output(CompiledTemplate.Resolve("[parameters('identityClientId')]", settings.Scope).Value));
    }

    [Fact]
    public void Function_app_runs_on_flex_consumption_linux_dotnet_isolated_10()
    {
        var plan = template.Single("Microsoft.Web/serverfarms");
        var app = template.Single("Microsoft.Web/sites");

        Assert.Equal("FlexConsumption", plan.Str("sku.tier"));
        Assert.Equal("FC1", plan.Str("sku.name"));
        Assert.True(plan.Node("properties.reserved")!.GetValue<bool>());
        Assert.Equal("functionapp,linux", app.Str("kind"));
        Assert.Equal("dotnet-isolated", app.Str("properties.functionAppConfig.runtime.name"));
        var (version, versionScope) = CompiledTemplate.Resolve(app.Str("properties.functionAppConfig.runtime.version")!, app.Scope);
        Assert.Equal("[parameters('runtimeVersion')]", version);
        Assert.Equal("10.0", (string?)versionScope.Template["parameters"]!["runtimeVersion"]!["defaultValue"]);
        Assert.True(app.Node("properties.httpsOnly")!.GetValue<bool>());
        Assert.Equal("1.2", app.Str("properties.siteConfig.minTlsVersion"));
        Assert.Equal("Disabled", app.Str("properties.siteConfig.ftpsState"));
    }

    [Fact]
    public void Instance_memory_and_maximum_instances_are_deployment_parameters()
    {
        var app = template.Single("Microsoft.Web/sites");
        var parameters = template.Root.Template["parameters"]!;

        var (memory, s1) = CompiledTemplate.Resolve(app.Str("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB")!, app.Scope);
        var (maximum, s2) = CompiledTemplate.Resolve(app.Str("properties.functionAppConfig.scaleAndConcurrency.maximumInstanceCount")!, app.Scope);

        Assert.Equal(("[parameters('instanceMemoryMB')]", "main"), (memory, s1.Name));
        Assert.Equal(("[parameters('maximumInstanceCount')]", "main"), (maximum, s2.Name));
        Assert.Equal("int", (string?)parameters["instanceMemoryMB"]!["type"]);
        Assert.Equal("int", (string?)parameters["maximumInstanceCount"]!["type"]);
    }

    [Fact]
    public void The_app_deploys_from_a_blob_container_with_its_user_assigned_identity()
    {
        var app = template.Single("Microsoft.Web/sites");

        Assert.Equal("blobContainer", app.Str("properties.functionAppConfig.deployment.storage.type"));
        Assert.Equal("UserAssignedIdentity", app.Str("properties.functionAppConfig.deployment.storage.authentication.type"));
        Assert.Equal("[parameters('identityId')]", app.Str("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));
        var (container, _) = CompiledTemplate.Resolve(app.Str("properties.functionAppConfig.deployment.storage.value")!, app.Scope);
        var reference = CompiledTemplate.ModuleOutputReference(container);
        Assert.Equal(("storage", "deploymentContainerUrl"), (reference.Groups[1].Value, reference.Groups[2].Value));
        Assert.Contains("deploymentContainerName", template.ModuleOutput("storage", "deploymentContainerUrl"));
    }

    [Fact]
    public void The_app_has_only_the_user_assigned_identity_and_uses_it_for_key_vault_references()
    {
        var app = template.Single("Microsoft.Web/sites");

        Assert.Equal("UserAssigned", app.Str("identity.type"));
        var identities = app.Node("identity.userAssignedIdentities")!.AsObject();
        Assert.Equal("[parameters('identityId')]", Assert.Single(identities).Key.Replace("[format('{0}', parameters('identityId'))]", "[parameters('identityId')]"));
        Assert.Equal("[parameters('identityId')]", app.Str("properties.keyVaultReferenceIdentity"));
        var (identity, _) = CompiledTemplate.Resolve("[parameters('identityId')]", app.Scope);
        Assert.Equal(("identity", "id"), Output(identity));
        Assert.Single(template.OfType("Microsoft.ManagedIdentity/userAssignedIdentities"));
    }

    [Fact]
    public void Basic_auth_publishing_is_off()
    {
        var policies = template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False(p.Node("properties.allow")!.GetValue<bool>()));
    }

    [Fact]
    public void The_admin_token_is_a_secure_parameter_stored_only_as_a_key_vault_secret()
    {
        var parameter = template.Root.Template["parameters"]!["adminToken"]!;
        var secret = template.Single("Microsoft.KeyVault/vaults/secrets");

        Assert.Equal("securestring", (string?)parameter["type"]);
        // A fresh random value per deployment when nothing is passed (azd passes the vault's current value).
        Assert.Equal("[newGuid()]", (string?)parameter["defaultValue"]);
        var (value, scope) = CompiledTemplate.Resolve(secret.Str("properties.value")!, secret.Scope);
        Assert.Equal(("[parameters('adminToken')]", "main"), (value, scope.Name));
        Assert.Equal("securestring", (string?)secret.Scope.Template["parameters"]!["adminToken"]!["type"]);
    }

    [Fact]
    public void No_output_carries_a_secret_or_a_key()
    {
        foreach (var scope in new[] { template.Root }.Concat(template.Resources.Where(r => r.Type == "Microsoft.Resources/deployments")
                     .Select(r => template.Module(r.Name))))
        {
            foreach (var (name, output) in scope.Template["outputs"]?.AsObject() ?? [])
            {
                var text = output!.ToJsonString();
                Assert.DoesNotMatch(@"(?i)list(Keys|Secrets|ConnectionStrings)\(|adminToken'\)|primaryKey|accessKey|securestring", text);
                Assert.NotEqual("securestring", (string?)output["type"]);
                Assert.False(name.Contains("password", StringComparison.OrdinalIgnoreCase), $"{scope.Name}.{name}");
            }
        }
    }

    [Fact]
    public void No_resource_asks_for_keys_or_connection_strings()
    {
        Assert.DoesNotMatch(@"(?i)\blist(Keys|AccountSas|ServiceSas|Secrets|ConnectionStrings)\(", template.Json);
        Assert.DoesNotContain("AccountKey=", template.Json);
        Assert.DoesNotContain("InstrumentationKey=", template.Json);
    }

    private static (string Module, string Output) Output(string expression)
    {
        var match = CompiledTemplate.ModuleOutputReference(expression);
        Assert.True(match.Success, expression);
        return (match.Groups[1].Value, match.Groups[2].Value);
    }
}
