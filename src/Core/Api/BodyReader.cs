using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Molecule.Core.Api;

/// <summary>
/// Reads fields of a JSON object body by the contract's rules (§0.3): no coercion, null means absent,
/// and the first failing field becomes <see cref="Error"/>; later reads are no-ops once it is set.
/// </summary>
public sealed class BodyReader(JsonElement body)
{
    public ApiResult? Error { get; private set; }
    public bool Failed => Error is not null;

    /// <summary>True when the key is present with a non-null value.</summary>
    public bool Has(string name) => body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>True when the key is present at all, null included (PATCH's "parent_id": null).</summary>
    public bool HasKey(string name) => body.TryGetProperty(name, out _);

    public bool Fail(string detail)
    {
        Error ??= Errors.InvalidBody(detail);
        return false;
    }

    public void FailWith(ApiResult error) => Error ??= error;

    public string? String(string name, bool required = false, int? maxChars = null, int? maxBytes = null,
        bool trim = false, bool nonEmpty = false, bool noControl = false, Regex? pattern = null, string? patternReason = null)
    {
        if (Failed) return null;
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) Fail($"{name}: required");
            return null;
        }
        if (v.ValueKind != JsonValueKind.String) { Fail($"{name}: must be a string"); return null; }
        if (!TryGetString(v, out var s)) { Fail($"{name}: must be valid Unicode"); return null; }
        if (trim) s = s.Trim();
        if ((required || nonEmpty) && s.Length == 0) { Fail(required ? $"{name}: required" : $"{name}: must not be empty"); return null; }
        if (maxChars is { } mc && CharCount(s) > mc) { Fail($"{name}: must be at most {mc} characters"); return null; }
        if (maxBytes is { } mb && Encoding.UTF8.GetByteCount(s) > mb) { Fail($"{name}: must be at most {mb} bytes"); return null; }
        if (noControl && HasControlCharacters(s)) { Fail($"{name}: must not contain control characters"); return null; }
        if (pattern is not null && !pattern.IsMatch(s)) { Fail($"{name}: {patternReason ?? "invalid format"}"); return null; }
        return s;
    }

    public long? Integer(string name, long min, long max, bool required = false, string? reason = null)
    {
        if (Failed) return null;
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) Fail($"{name}: required");
            return null;
        }
        reason ??= max == long.MaxValue ? $"must be an integer ≥ {min}" : $"must be an integer between {min} and {max}";
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n) || n < min || n > max)
        {
            Fail($"{name}: {reason}");
            return null;
        }
        return n;
    }

    public double? Number(string name, double min, double max, bool required = false)
    {
        if (Failed) return null;
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) Fail($"{name}: required");
            return null;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var n) || double.IsNaN(n) || n < min || n > max)
        {
            Fail($"{name}: must be a number between {min} and {max}");
            return null;
        }
        return n;
    }

    public bool? Boolean(string name, bool required = false)
    {
        if (Failed) return null;
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) Fail($"{name}: required");
            return null;
        }
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) { Fail($"{name}: must be a boolean"); return null; }
        return v.GetBoolean();
    }

    /// <summary>A JSON object field, returned with its UTF-8 serialized form (for size caps and storage).</summary>
    public (JsonElement Value, byte[] Utf8)? Object(string name, int maxBytes, bool required = false)
    {
        if (Failed) return null;
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) Fail($"{name}: required");
            return null;
        }
        if (v.ValueKind != JsonValueKind.Object) { Fail($"{name}: must be a JSON object"); return null; }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(v);
        if (bytes.Length > maxBytes) { Fail($"{name}: must be at most {maxBytes} bytes"); return null; }
        return (v, bytes);
    }

    /// <summary>A workspace id field: any non-UUID answers 400 "invalid workspace ID" naming the field (§0.2).</summary>
    public string? WorkspaceId(string name, bool required = false)
    {
        if (Failed) return null;
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) Fail($"{name}: required");
            return null;
        }
        if (v.ValueKind != JsonValueKind.String || !TryGetString(v, out var id) || !Ids.IsWorkspaceId(id))
        {
            FailWith(Errors.InvalidWorkspaceId(name));
            return null;
        }
        return id;
    }

    /// <summary>A JSON string's value; false for one that escapes a lone surrogate (not valid Unicode).</summary>
    public static bool TryGetString(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    public static int CharCount(string s)
    {
        var count = 0;
        foreach (var _ in s.EnumerateRunes()) count++;
        return count;
    }

    public static bool HasControlCharacters(string s)
    {
        foreach (var c in s)
            if (c <= '\u001F' || c is >= '\u007F' and <= '\u009F') return true;
        return false;
    }
}
