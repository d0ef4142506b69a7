using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Molecule.Core.Plugins;

/// <summary>
/// The SDK's plugin content hash (§5.2): every regular file but the root plugin.yaml, paths sorted by Unicode
/// code point, each paired with the hex SHA-256 of its bytes, serialised exactly as Python's
/// json.dumps(pairs, sort_keys=True) writes it (", " and ": " separators, non-ASCII as lowercase \uXXXX).
/// </summary>
public static class ContentHash
{
    public static string Compute(IEnumerable<(string Path, string Sha256)> files)
    {
        var pairs = files.Where(f => f.Path != "plugin.yaml").OrderBy(f => f.Path, CodePointComparer.Instance).ToList();
        var text = new StringBuilder("[");
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append('[').Append(PythonJsonString(pairs[i].Path)).Append(", ").Append(PythonJsonString(pairs[i].Sha256)).Append(']');
        }
        text.Append(']');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text.ToString())));
    }

    /// <summary>A string literal as Python's json module writes it with ensure_ascii=True.</summary>
    public static string PythonJsonString(string value)
    {
        var s = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': s.Append("\\\""); break;
                case '\\': s.Append("\\\\"); break;
                case '\n': s.Append("\\n"); break;
                case '\r': s.Append("\\r"); break;
                case '\t': s.Append("\\t"); break;
                case '\b': s.Append("\\b"); break;
                case '\f': s.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E) s.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else s.Append(c);
                    break;
            }
        }
        return s.Append('"').ToString();
    }

    /// <summary>Python's string order: by code point (UTF-16 ordinal differs for characters above U+FFFF).</summary>
    public sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var a = x.EnumerateRunes().GetEnumerator();
            var b = y.EnumerateRunes().GetEnumerator();
            while (true)
            {
                var hasA = a.MoveNext();
                var hasB = b.MoveNext();
                if (!hasA || !hasB) return hasA.CompareTo(hasB);
                var cmp = a.Current.Value.CompareTo(b.Current.Value);
                if (cmp != 0) return cmp;
            }
        }
    }
}
