namespace Molecule.Tests.Infra;

/// <summary>The function app's settings as the template writes them (the sites/config 'appsettings' resource).</summary>
public sealed class AppSettings
{
    public required IReadOnlyDictionary<string, string> Raw { get; init; }
    public required CompiledTemplate.Scope Scope { get; init; }

    public static AppSettings Of(CompiledTemplate template)
    {
        var config = Assert.Single(template.OfType("Microsoft.Web/sites/config"),
            c => c.Name.Contains("'appsettings'", StringComparison.Ordinal));
        // The site itself must not carry a second list that would be overwritten or merged unpredictably.
        Assert.Null(template.Single("Microsoft.Web/sites").Node("properties.siteConfig.appSettings"));
        return new AppSettings
        {
            Raw = config.Properties.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
            Scope = config.Scope,
        };
    }

    public IEnumerable<string> Keys => Raw.Keys;

    /// <summary>The setting's value followed out of the module to what main passed in.</summary>
    public string Resolved(string key) => CompiledTemplate.Resolve(Raw[key], Scope).Value;

    /// <summary>The module output a setting comes from, e.g. ("keyvault", "uri"); null for anything else.</summary>
    public (string Module, string Output)? Source(string key)
    {
        var match = CompiledTemplate.ModuleOutputReference(Resolved(key));
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value) : null;
    }
}
