using System.Security.Cryptography;
using System.Text;
using Molecule.Core.Plugins;

namespace Molecule.Tests.Unit.Plugins;

/// <summary>The SDK's plugin content hash (contract §5.2).</summary>
public class ContentHashTests
{
    private const string WorkedExample = "763e3ef8634d030564e9a26c36868c21603359eabb2b6b6bab3671763d51b618";
    private const string EmptyList = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    private static string Sha(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    private static string ShaAscii(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)));

    private static (string, string)[] Example() =>
    [
        ("README.md", Sha("hello\n")),
        ("skills/x/SKILL.md", Sha("# skill\n")),
    ];

    [Fact]
    public void Compute_matches_the_contract_worked_example()
    {
        var files = Example();

        var hash = ContentHash.Compute(files);

        Assert.Equal(WorkedExample, hash);
    }

    [Fact]
    public void Compute_matches_the_worked_example_whatever_the_input_order()
    {
        var files = Example().Reverse().ToArray();

        var hash = ContentHash.Compute(files);

        Assert.Equal(WorkedExample, hash);
    }

    [Fact]
    public void Compute_of_no_files_is_the_hash_of_the_empty_list()
    {
        var hash = ContentHash.Compute([]);

        Assert.Equal(EmptyList, hash);
    }

    [Fact]
    public void Compute_leaves_out_the_root_plugin_yaml()
    {
        var files = Example().Append(("plugin.yaml", Sha("name: x\n"))).ToArray();

        var hash = ContentHash.Compute(files);

        Assert.Equal(WorkedExample, hash);
    }

    [Fact]
    public void Compute_of_only_the_root_plugin_yaml_is_the_empty_list_hash()
    {
        var hash = ContentHash.Compute([("plugin.yaml", Sha("name: x\n"))]);

        Assert.Equal(EmptyList, hash);
    }

    [Fact]
    public void Compute_includes_a_nested_plugin_yaml()
    {
        var nested = Sha("name: nested\n");

        var hash = ContentHash.Compute([("skills/x/plugin.yaml", nested)]);

        Assert.Equal(ShaAscii($"[[\"skills/x/plugin.yaml\", \"{nested}\"]]"), hash);
    }

    [Fact]
    public void Compute_includes_dotfiles()
    {
        var env = Sha("A=1\n");

        var hash = ContentHash.Compute([(".env", env)]);

        Assert.Equal(ShaAscii($"[[\".env\", \"{env}\"]]"), hash);
    }

    [Fact]
    public void Compute_serialises_the_worked_example_pairs_exactly()
    {
        var text = "[[\"README.md\", \"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\"], " +
                   "[\"skills/x/SKILL.md\", \"6504f2de0a1febf7492c3b98f93d9ab49558eb364607a706f02fe9a75aa7f75b\"]]";

        var hash = ContentHash.Compute(Example());

        Assert.Equal(ShaAscii(text), hash);
    }

    [Fact]
    public void Compute_sorts_a_character_above_U_FFFF_after_U_FFFD()
    {
        var a = Sha("a");
        var b = Sha("b");
        // Python order: U+FFFD (65533) < U+1F600 (128512). UTF-16 ordinal order would put "\ud83d…" first.
        var expected = ShaAscii($"[[\"\\ufffd.md\", \"{a}\"], [\"\\ud83d\\ude00.md\", \"{b}\"]]");

        var hash = ContentHash.Compute([("\U0001F600.md", b), ("\uFFFD.md", a)]);

        Assert.Equal(expected, hash);
    }

    [Fact]
    public void Compute_sorts_a_character_above_U_FFFF_after_the_private_use_area()
    {
        var a = Sha("a");
        var b = Sha("b");
        var expected = ShaAscii($"[[\"\\ue000\", \"{a}\"], [\"\\ud83d\\ude00\", \"{b}\"]]");

        var hash = ContentHash.Compute([("\U0001F600", b), ("\uE000", a)]);

        Assert.Equal(expected, hash);
    }

    [Fact]
    public void CodePointComparer_orders_U_1F600_after_U_FFFD_where_ordinal_does_not()
    {
        var emoji = "\U0001F600";
        var replacement = "\uFFFD";

        var byCodePoint = ContentHash.CodePointComparer.Instance.Compare(emoji, replacement);
        var byOrdinal = string.CompareOrdinal(emoji, replacement);

        Assert.True(byCodePoint > 0, $"code point compare gave {byCodePoint}");
        Assert.True(byOrdinal < 0, $"ordinal compare gave {byOrdinal}");
    }

    [Fact]
    public void CodePointComparer_orders_a_prefix_first()
    {
        var cmp = ContentHash.CodePointComparer.Instance.Compare("skills", "skills/x");

        Assert.True(cmp < 0);
    }

    [Theory]
    [InlineData("README.md", "\"README.md\"")]
    [InlineData("skills/x/SKILL.md", "\"skills/x/SKILL.md\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"")]
    [InlineData("\u0001\u001f", "\"\\u0001\\u001f\"")]
    [InlineData("\u007f", "\"\\u007f\"")]
    [InlineData("caf\u00e9", "\"caf\\u00e9\"")]
    [InlineData("\u00C9", "\"\\u00c9\"")]
    [InlineData("\u00FF\uABCD", "\"\\u00ff\\uabcd\"")]
    [InlineData("\u4E2D", "\"\\u4e2d\"")]
    [InlineData("\U0001F600", "\"\\ud83d\\ude00\"")]
    [InlineData("\U0010FFFF", "\"\\udbff\\udfff\"")]
    [InlineData(" ~", "\" ~\"")]
    [InlineData("", "\"\"")]
    public void PythonJsonString_writes_what_python_json_dumps_writes(string value, string expected)
    {
        var text = PluginJson(value);

        Assert.Equal(expected, text);
    }

    [Fact]
    public void PythonJsonString_does_not_escape_the_slash()
    {
        var text = ContentHash.PythonJsonString("a/b/c");

        Assert.Equal("\"a/b/c\"", text);
    }

    [Fact]
    public void PythonJsonString_writes_only_ascii()
    {
        var text = ContentHash.PythonJsonString("ñandú/😀/\u0000/\u2028");

        Assert.All(text, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal("\"\\u00f1and\\u00fa/\\ud83d\\ude00/\\u0000/\\u2028\"", text);
    }

    private static string PluginJson(string value) => ContentHash.PythonJsonString(value);
}
