using System.Reflection;
using System.Text.RegularExpressions;
using Molecule.Core.Api;

namespace Molecule.Tests.Infra;

/// <summary>
/// The settings the app reads (derived from its code, not listed by hand) and the settings the template writes
/// agree: everything Azure needs is set, every identity-based connection has its role, nothing set is dead, and no
/// secret sits in a plain setting.
/// </summary>
public partial class ConfigurationParityTests
{
    private static readonly string Src = Path.Combine(Bicep.RepositoryRoot, "src");
    private readonly AppSettings settings = AppSettings.Of(CompiledTemplate.Main);

    /// <summary>Read by the app but deliberately not set in Azure: the default is the right value there.</summary>
    public static readonly IReadOnlyDictionary<string, string> LeftAtDefault = new Dictionary<string, string>
    {
        ["AzureWebJobsStorage"] = "a connection string carries an account key; Azure uses the identity-based __ forms",
        ["Molecule__OrgId"] = "org pinning is opt-in (contract §0.7); a single-organisation deployment has none",
        ["Molecule__CorsAllowedOrigins"] = "the canvas is served by the app itself (same origin); no other origin is trusted by default",
        ["Molecule__RateLimitPerMinute"] = "contract default (600)",
        ["Molecule__AllowPrivateAgentUrls"] = "must stay false in Azure: agent URLs on private networks are refused (SSRF)",
        ["Molecule__HeartbeatIntervalSeconds"] = "contract default (30), the SDK's cadence",
        ["Molecule__OfflineAfterSeconds"] = "contract default (90)",
        ["Molecule__ClaimWindowHours"] = "contract default (24)",
        ["Molecule__TokenCacheSeconds"] = "contract default (10)",
        ["Molecule__A2ADefaultTimeoutSeconds"] = "contract default (60)",
        ["Molecule__DelegationTimeoutSeconds"] = "contract default (300)",
        ["Molecule__ActivityRetentionDays"] = "contract default (7)",
    };

    /// <summary>Set for the Functions host or its telemetry, not read by the app's code.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReadByTheHost = new Dictionary<string, string>
    {
        ["AzureWebJobsDisableHomepage"] = "the host's own page at / is off; the app answers GET /",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "where the host sends telemetry",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "sends it with the app identity (Entra ID ingestion)",
    };

    /// <summary>Without these the app cannot work in Azure (no safe default there).</summary>
    private static readonly string[] RequiredInAzure =
    [
        "Molecule__AdminToken", "Molecule__KeyVaultUri", "Molecule__SignalREndpoint", "Molecule__SignalRHubName",
        "Molecule__PublicBaseUrl", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
        "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri",
    ];

    /// <summary>Every configuration key the app's code reads, in app-setting form (':' → '__').</summary>
    public static IReadOnlySet<string> KeysTheAppReads()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var code = Directory.GetFiles(Path.Combine(Src, "Core"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Src, "Functions"), "*.cs", SearchOption.AllDirectories))
            .ToDictionary(f => f, File.ReadAllText);

        // 1. Options classes bound to the Molecule section: every public settable property is a key.
        var registration = code.Single(f => f.Key.EndsWith("ServiceRegistration.cs")).Value;
        Assert.Contains("Bind(configuration.GetSection(PlatformOptions.Section))", registration);
        var bound = BoundOptions().Matches(registration).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(bound);
        var core = typeof(PlatformOptions).Assembly;
        foreach (var name in bound)
        {
            var type = Assert.Single(core.GetTypes(), t => t.Name == name);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
                keys.Add($"{PlatformOptions.Section}__{property.Name}");
        }

        // 2. Keys read directly: configuration["Section:Key"].
        foreach (var text in code.Values)
            foreach (Match m in DirectRead().Matches(text))
                keys.Add(m.Groups[1].Value.Replace(":", "__"));

        // 3. Storage: the AzureWebJobsStorage section's own value and its sub-keys (StorageOptions.From).
        var storage = code.Single(f => f.Key.EndsWith("StorageOptions.cs")).Value;
        Assert.Contains("public const string Section = \"AzureWebJobsStorage\"", storage);
        keys.Add("AzureWebJobsStorage");
        foreach (Match m in SectionRead().Matches(storage)) keys.Add("AzureWebJobsStorage__" + m.Groups[1].Value);

        return keys;
    }

    [Fact]
    public void The_scan_finds_the_settings_the_contract_names()
    {
        var keys = KeysTheAppReads();

        // Guards the scan itself: if refactoring hid a key from it, the parity below would pass vacuously.
        Assert.Superset(new HashSet<string>(RequiredInAzure), new HashSet<string>(keys));
        Assert.Contains("Molecule__HeartbeatIntervalSeconds", keys);
        Assert.Contains("Molecule__ActivityRetentionDays", keys);
    }

    [Fact]
    public void Every_key_the_app_reads_is_set_or_deliberately_left_at_its_default()
    {
        var keys = KeysTheAppReads();

        var missing = keys.Where(k => !settings.Raw.ContainsKey(k) && !LeftAtDefault.ContainsKey(k)).Order().ToList();
        Assert.True(missing.Count == 0, "read by the app but neither set nor listed with a reason: " + string.Join(", ", missing));
        Assert.All(RequiredInAzure, k => Assert.True(settings.Raw.ContainsKey(k), k + " must be set in Azure"));
        Assert.All(LeftAtDefault.Keys, k =>
        {
            Assert.Contains(k, keys);                  // no stale reasons for keys the app no longer reads
            Assert.False(settings.Raw.ContainsKey(k)); // and a listed key really is left alone
        });
    }

    [Fact]
    public void Every_setting_is_read_by_the_app_or_the_host()
    {
        var keys = KeysTheAppReads();

        var dead = settings.Keys.Where(k => !keys.Contains(k) && !ReadByTheHost.ContainsKey(k)).ToList();
        Assert.True(dead.Count == 0, "set but read by nothing: " + string.Join(", ", dead));
    }

    [Fact]
    public void Flex_consumption_settings_the_plan_rejects_are_absent()
    {
        string[] rejected =
        [
            "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME_VERSION",
            "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE",
            "WEBSITE_NODE_DEFAULT_VERSION", "AzureWebJobsStorage",
        ];

        Assert.All(rejected, k => Assert.False(settings.Raw.ContainsKey(k), k));
    }

    [Fact]
    public void Storage_is_reached_as_the_user_assigned_identity()
    {
        Assert.Equal("managedidentity", settings.Raw["AzureWebJobsStorage__credential"]);
        Assert.Equal(("identity", "clientId"), settings.Source("AzureWebJobsStorage__clientId"));
        Assert.Equal(("storage", "blobEndpoint"), settings.Source("AzureWebJobsStorage__blobServiceUri"));
        Assert.Equal(("storage", "queueEndpoint"), settings.Source("AzureWebJobsStorage__queueServiceUri"));
        Assert.Equal(("storage", "tableEndpoint"), settings.Source("AzureWebJobsStorage__tableServiceUri"));
        // Key Vault and SignalR clients take their credential from the same settings (Tables.CredentialFor).
        var registration = File.ReadAllText(Path.Combine(Src, "Core", "ServiceRegistration.cs"));
        Assert.Contains("new KeyVaultSecretVault(vaultUri, Tables.CredentialFor(", registration);
        Assert.Contains("new SignalRServiceEvents(endpoint, hub, Tables.CredentialFor(", registration);
    }

    public static TheoryData<string, string, string> IdentityConnections() => new()
    {
        // setting → the module whose resource it names → the role the app identity needs there
        { "AzureWebJobsStorage__blobServiceUri", "storage", RoleAssignmentTests.StorageBlobDataOwner },
        { "AzureWebJobsStorage__queueServiceUri", "storage", RoleAssignmentTests.StorageQueueDataContributor },
        { "AzureWebJobsStorage__tableServiceUri", "storage", RoleAssignmentTests.StorageTableDataContributor },
        { "Molecule__KeyVaultUri", "keyvault", RoleAssignmentTests.KeyVaultSecretsOfficer },
        { "Molecule__AdminToken", "keyvault", RoleAssignmentTests.KeyVaultSecretsOfficer },
        { "Molecule__SignalREndpoint", "signalr", RoleAssignmentTests.SignalRRestApiOwner },
        { "APPLICATIONINSIGHTS_CONNECTION_STRING", "monitoring", RoleAssignmentTests.MonitoringMetricsPublisher },
    };

    [Theory]
    [MemberData(nameof(IdentityConnections))]
    public void Every_identity_based_connection_has_its_role_assignment(string setting, string module, string role)
    {
        var template = CompiledTemplate.Main;

        Assert.Equal(module, settings.Source(setting)?.Module);
        var grant = Assert.Single(RoleAssignmentTests.Grants(template), g => g.Principal == "app" && g.Role == role);
        var assignment = Assert.Single(template.OfType("Microsoft.Authorization/roleAssignments"), r => r.Name == grant.Name);
        Assert.Equal(module, assignment.Scope.Name);
    }

    [Fact]
    public void The_admin_token_setting_is_a_key_vault_reference_to_the_secret_the_template_writes()
    {
        Assert.Equal(("keyvault", "adminTokenReference"), settings.Source("Molecule__AdminToken"));
        var reference = CompiledTemplate.Main.ModuleOutput("keyvault", "adminTokenReference");
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0}secrets/{1}/)', reference(resourceId('Microsoft.KeyVault/vaults', parameters('name'))", reference);
        Assert.EndsWith("parameters('adminTokenSecretName'))]", reference);
        var secret = CompiledTemplate.Main.Single("Microsoft.KeyVault/vaults/secrets");
        Assert.Equal("[format('{0}/{1}', parameters('name'), parameters('adminTokenSecretName'))]", secret.Name);
    }

    [Fact]
    public void No_plain_setting_holds_a_secret()
    {
        var template = CompiledTemplate.Main;
        var secureParameters = template.Root.Template["parameters"]!.AsObject()
            .Where(p => (string?)p.Value!["type"] is "securestring" or "secureObject").Select(p => p.Key).ToList();
        Assert.Contains("adminToken", secureParameters);

        foreach (var key in settings.Keys)
        {
            var value = settings.Resolved(key);
            var source = settings.Source(key);
            var text = source is { } s ? template.ModuleOutput(s.Module, s.Output) : value;
            Assert.DoesNotMatch(@"(?i)\blist\w*\(", text);
            Assert.All(secureParameters, p => Assert.DoesNotContain($"parameters('{p}')", value));
            if (key.Contains("Token", StringComparison.OrdinalIgnoreCase) || key.Contains("Secret", StringComparison.OrdinalIgnoreCase)
                || key.Contains("Password", StringComparison.OrdinalIgnoreCase) || key.EndsWith("Key", StringComparison.OrdinalIgnoreCase))
                Assert.StartsWith("[format('@Microsoft.KeyVault(", text);
        }

        // The telemetry connection string names the component; it is not a credential because the component
        // refuses ingestion without an Entra ID token (DisableLocalAuth, asserted in SecurityTests).
        Assert.Equal("[reference(resourceId('Microsoft.Insights/components', parameters('appInsightsName')), '2020-02-02').ConnectionString]",
            template.ModuleOutput("monitoring", "appInsightsConnectionString"));
    }

    [Fact]
    public void Canvas_and_urls_use_the_deployed_endpoints()
    {
        Assert.Equal(("signalr", "endpoint"), settings.Source("Molecule__SignalREndpoint"));
        Assert.Equal("[format('https://{0}', reference(resourceId('Microsoft.SignalRService/signalR', parameters('name')), '2024-03-01').hostName)]",
            CompiledTemplate.Main.ModuleOutput("signalr", "endpoint"));
        Assert.Equal(("keyvault", "uri"), settings.Source("Molecule__KeyVaultUri"));
        Assert.Contains("defaultHostName", settings.Raw["Molecule__PublicBaseUrl"]);
        Assert.Equal("[parameters('signalRHubName')]", settings.Resolved("Molecule__SignalRHubName"));
        Assert.Equal("canvas", (string?)CompiledTemplate.Main.Root.Template["parameters"]!["signalRHubName"]!["defaultValue"]);
    }

    [GeneratedRegex(@"services\.AddValidatedOptions<(\w+)>")]
    private static partial Regex BoundOptions();

    [GeneratedRegex(@"configuration\[""([A-Za-z]+:[A-Za-z0-9]+)""\]")]
    private static partial Regex DirectRead();

    [GeneratedRegex(@"section\[""(\w+)""\]")]
    private static partial Regex SectionRead();
}
