using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Molecule.Tests.Infra;

/// <summary>
/// main.bicep compiled to ARM JSON once per test run (artifacts/infra/main.json). Modules compile to nested
/// Microsoft.Resources/deployments with their own template; this walks them and follows a module parameter back to
/// the value its parent passed, so a test can ask what a setting is really made of.
/// </summary>
public sealed partial class CompiledTemplate
{
    private static readonly Lazy<CompiledTemplate> Compiled = new(Compile);

    public static CompiledTemplate Main => Compiled.Value;

    public Scope Root { get; }
    public IReadOnlyList<Resource> Resources { get; }
    public string Json { get; }
    public Bicep.Result BuildResult { get; }

    private CompiledTemplate(string json, Bicep.Result buildResult)
    {
        Json = json;
        BuildResult = buildResult;
        Root = new Scope("main", JsonNode.Parse(json)!.AsObject(), null, null);
        var resources = new List<Resource>();
        Collect(Root, resources);
        Resources = resources;
    }

    private static CompiledTemplate Compile()
    {
        var output = Path.Combine(Bicep.RepositoryRoot, "artifacts", "infra", "main.json");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var result = Bicep.Run("build", Bicep.MainTemplate, "--outfile", output);
        if (result.ExitCode != 0) throw new InvalidOperationException("bicep build failed: " + result.Output);
        return new CompiledTemplate(File.ReadAllText(output), result);
    }

    public sealed record Scope(string Name, JsonObject Template, JsonObject? PassedParameters, Scope? Parent);

    public sealed record Resource(string Type, JsonObject Body, Scope Scope)
    {
        public string Name => (string)Body["name"]!;
        public JsonObject Properties => Body["properties"]?.AsObject() ?? [];
        public string? Str(string path) => Navigate(Body, path)?.GetValue<string>();
        public JsonNode? Node(string path) => Navigate(Body, path);
        public override string ToString() => $"{Type} {Name} (in {Scope.Name})";
    }

    public IEnumerable<Resource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public Resource Single(string type) => Assert.Single(OfType(type));

    public Scope Module(string name) =>
        AllScopes(Root).Single(s => s.Name == name);

    /// <summary>
    /// Follows <c>[parameters('x')]</c> out of nested deployments to what the parent passed, until the value is
    /// something other than a bare parameter reference (a literal, or an expression in the scope it belongs to).
    /// </summary>
    public static (string Value, Scope Scope) Resolve(string value, Scope scope)
    {
        while (scope.Parent is not null && BareParameter().Match(value) is { Success: true } m)
        {
            var passed = scope.PassedParameters?[m.Groups[1].Value]?["value"];
            if (passed is null) break; // the module's own default applies
            value = passed is JsonValue v && v.TryGetValue<string>(out var s) ? s : passed.ToJsonString();
            scope = scope.Parent;
        }
        return (value, scope);
    }

    /// <summary>A module output's expression: <c>outputs.x.value</c> of the nested template named <paramref name="module"/>.</summary>
    public string ModuleOutput(string module, string output) =>
        (string)Module(module).Template["outputs"]![output]!["value"]!;

    /// <summary>Matches <c>reference(...'Microsoft.Resources/deployments', 'module')...outputs.name.value</c>.</summary>
    public static Match ModuleOutputReference(string expression) => ModuleOutputPattern().Match(expression);

    public static JsonNode? Navigate(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject o) return null;
            node = o.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase)).Value;
        }
        return node;
    }

    private static IEnumerable<Scope> AllScopes(Scope scope)
    {
        yield return scope;
        foreach (var child in Children(scope))
            foreach (var s in AllScopes(child))
                yield return s;
    }

    private static IEnumerable<Scope> Children(Scope scope) =>
        ResourceNodes(scope.Template)
            .Where(r => (string?)r["type"] == "Microsoft.Resources/deployments")
            .Select(r => new Scope((string)r["name"]!, r["properties"]!["template"]!.AsObject(),
                r["properties"]!["parameters"]?.AsObject(), scope));

    private static void Collect(Scope scope, List<Resource> into)
    {
        foreach (var r in ResourceNodes(scope.Template))
        {
            if (r["existing"]?.GetValue<bool>() == true) continue;
            into.Add(new Resource((string)r["type"]!, r, scope));
        }
        foreach (var child in Children(scope)) Collect(child, into);
    }

    // Resources compile to an array, or to an object keyed by symbolic name (language version 2.0).
    private static IEnumerable<JsonObject> ResourceNodes(JsonObject template) => template["resources"] switch
    {
        JsonArray a => a.Select(n => n!.AsObject()),
        JsonObject o => o.Select(p => p.Value!.AsObject()),
        _ => [],
    };

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex BareParameter();

    [GeneratedRegex(@"'Microsoft\.Resources/deployments', '([^']+)'\), '[^']+'\)\.outputs\.([A-Za-z0-9_]+)\.value\]$")]
    private static partial Regex ModuleOutputPattern();
}
