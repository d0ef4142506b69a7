using System.Text.RegularExpressions;

namespace Molecule.Tests.Infra;

/// <summary>Who may do what: exactly the roles the app needs, on the resource it needs them on, named with guid().</summary>
public partial class RoleAssignmentTests
{
    // Built-in role definition ids (the same in every tenant).
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    public const string SignalRRestApiOwner = "fd53cd77-2268-407a-8f46-7e7863d0f521";
    public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private static readonly string[] Privileged =
    [
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", // Owner
        "b24988ac-6180-42a0-ab88-20f7382dd24c", // Contributor
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", // User Access Administrator
        "17d1049b-9a84-46fb-8f53-869881c3d3ab", // Storage Account Contributor
        "00482a5a-887f-4fb3-b363-3b7fe8e74483", // Key Vault Administrator
        "7e4f1700-ea5a-4f59-8f37-079cfe29dce3", // SignalR Service Owner
    ];

    private readonly CompiledTemplate template = CompiledTemplate.Main;

    public sealed record Grant(string ScopeType, string Role, string Principal, string Name, bool Conditional);

    public static IReadOnlyList<Grant> Grants(CompiledTemplate template) =>
        template.OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var role = RoleDefinition().Match(r.Str("properties.roleDefinitionId")!);
            Assert.True(role.Success, r.ToString());
            var roleId = role.Groups[1].Value is { Length: > 0 } variable
                ? (string)r.Scope.Template["variables"]![variable]!
                : role.Groups[2].Value;
            var scope = ScopeType().Match(r.Str("scope") ?? "");
            Assert.True(scope.Success, "role assignment without a resource scope: " + r);
            var principal = r.Str("properties.principalId")!;
            var kind = AppIdentityPrincipal().IsMatch(principal) && IsAppIdentity(template, r.Scope)
                ? "app"
                : CompiledTemplate.Resolve(principal, r.Scope) is ("[parameters('principalId')]", { Name: "main" }) ? "deployer" : principal;
            return new Grant(scope.Groups[1].Value, roleId, kind, r.Name, r.Body["condition"] is not null);
        }).ToList();

    [Fact]
    public void The_app_identity_holds_exactly_the_roles_the_app_uses_on_the_resources_it_uses()
    {
        var app = Grants(template).Where(g => g.Principal == "app")
            .Select(g => (g.ScopeType, g.Role)).OrderBy(g => g).ToList();

        (string, string)[] expected =
        [
            ("Microsoft.Insights/components", MonitoringMetricsPublisher),     // AAD telemetry ingestion
            ("Microsoft.KeyVault/vaults", KeyVaultSecretsOfficer),             // get/set/delete/recover secrets
            ("Microsoft.SignalRService/signalR", SignalRRestApiOwner),          // :send and :generateToken
            ("Microsoft.Storage/storageAccounts", StorageBlobDataOwner),        // host storage, plugin/activity blobs, package
            ("Microsoft.Storage/storageAccounts", StorageQueueDataContributor), // queue triggers and work queues
            ("Microsoft.Storage/storageAccounts", StorageTableDataContributor), // every table
        ];
        Assert.Equal(expected.OrderBy(e => e), app);
    }

    [Fact]
    public void The_deployer_may_only_read_secrets_and_only_when_named()
    {
        var deployer = Assert.Single(Grants(template), g => g.Principal == "deployer");

        Assert.Equal(("Microsoft.KeyVault/vaults", KeyVaultSecretsUser), (deployer.ScopeType, deployer.Role));
        Assert.True(deployer.Conditional);
    }

    [Fact]
    public void Every_assignment_has_a_known_principal_a_guid_name_and_no_privileged_role()
    {
        var grants = Grants(template);

        Assert.Equal(7, grants.Count);
        Assert.All(grants, g =>
        {
            Assert.Contains(g.Principal, new[] { "app", "deployer" });
            Assert.StartsWith("[guid(", g.Name);
            Assert.DoesNotContain(g.Role, Privileged);
        });
        Assert.Equal(grants.Count, grants.Select(g => g.Name).Distinct().Count());
    }

    [Fact]
    public void App_role_assignments_name_service_principal_as_their_principal_type()
    {
        Assert.All(template.OfType("Microsoft.Authorization/roleAssignments")
                .Where(r => AppIdentityPrincipal().IsMatch(r.Str("properties.principalId")!)),
            r => Assert.Equal("ServicePrincipal", r.Str("properties.principalType")));
    }

    // The existing identity a module reads its principal id from is the one main creates: the module's
    // appIdentityName parameter resolves to the same main variable the identity module is named with.
    private static bool IsAppIdentity(CompiledTemplate template, CompiledTemplate.Scope scope)
    {
        var (name, nameScope) = CompiledTemplate.Resolve("[parameters('appIdentityName')]", scope);
        var (created, createdScope) = CompiledTemplate.Resolve(template.Single("Microsoft.ManagedIdentity/userAssignedIdentities").Name,
            template.Module("identity"));
        return nameScope.Name == "main" && createdScope.Name == "main" && name == created;
    }

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', (?:variables\('([^']+)'\)|'([0-9a-f-]{36})')\)\]$")]
    private static partial Regex RoleDefinition();

    [GeneratedRegex(@"^\[resourceId\('([^']+)', parameters\('[^']+'\)\)\]$")]
    private static partial Regex ScopeType();

    [GeneratedRegex(@"^\[reference\(resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities', parameters\('appIdentityName'\)\), '[^']+'\)\.principalId\]$")]
    private static partial Regex AppIdentityPrincipal();
}
