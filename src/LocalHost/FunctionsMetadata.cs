using System.Reflection;
using System.Text.Json;

namespace Molecule.LocalHost;

/// <summary>One function as the Worker SDK describes it in functions.metadata.</summary>
public sealed record FunctionDescriptor(string Name, string ScriptFile, string EntryPoint, IReadOnlyList<JsonElement> Bindings)
{
    public JsonElement Trigger => Bindings.First(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
    public string TriggerType => Trigger.GetProperty("type").GetString()!;

    public string? Route => Trigger.TryGetProperty("route", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;

    /// <summary>Upper-case methods; empty means every method.</summary>
    public IReadOnlyList<string> Methods =>
        Trigger.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToList()
            : [];

    public string? Schedule => Trigger.TryGetProperty("schedule", out var s) ? s.GetString() : null;

    public MethodInfo ResolveMethod()
    {
        var assembly = Assembly.Load(Path.GetFileNameWithoutExtension(ScriptFile));
        var dot = EntryPoint.LastIndexOf('.');
        var type = assembly.GetType(EntryPoint[..dot], throwOnError: true)!;
        return type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Single(m => m.Name == EntryPoint[(dot + 1)..]);
    }
}

public static class FunctionsMetadata
{
    public const string FileName = "functions.metadata";

    public static IReadOnlyList<FunctionDescriptor> Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.EnumerateArray().Select(f => new FunctionDescriptor(
            f.GetProperty("name").GetString()!,
            f.GetProperty("scriptFile").GetString()!,
            f.GetProperty("entryPoint").GetString()!,
            f.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToList())).ToList();
    }

    /// <summary>host.json's extensions.http.routePrefix ("api" when absent, as in the Functions host).</summary>
    public static string RoutePrefix(string hostJsonPath)
    {
        if (!File.Exists(hostJsonPath)) return "api";
        using var document = JsonDocument.Parse(File.ReadAllBytes(hostJsonPath));
        return document.RootElement.TryGetProperty("extensions", out var e) && e.TryGetProperty("http", out var h)
               && h.TryGetProperty("routePrefix", out var p) ? p.GetString() ?? "" : "api";
    }
}
