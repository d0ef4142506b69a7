using Molecule.Core.Plugins;

namespace Molecule.Tests.Unit.Plugins;

/// <summary>Entry names of an upload → plugin-relative paths (contract §5.3).</summary>
public class PluginArchiveNormalizeTests
{
    [Theory]
    [InlineData("plugin.yaml", "plugin.yaml")]
    [InlineData("./plugin.yaml", "plugin.yaml")]
    [InlineData("skills/x/", "skills/x")]
    [InlineData("./skills/x/", "skills/x")]
    [InlineData("skills/x/SKILL.md", "skills/x/SKILL.md")]
    [InlineData("./skills/x/SKILL.md", "skills/x/SKILL.md")]
    [InlineData(".env", ".env")]
    [InlineData("./.hidden/.config", ".hidden/.config")]
    [InlineData("a/..b", "a/..b")]
    [InlineData("..b", "..b")]
    [InlineData("a/b..", "a/b..")]
    [InlineData("ñandú/😀.md", "ñandú/😀.md")]
    public void Normalize_accepts_a_relative_name(string name, string expected)
    {
        var (path, error) = PluginArchive.Normalize(name);

        Assert.Null(error);
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("./")]
    [InlineData(".")]
    public void Normalize_maps_the_root_entry_to_no_path_and_no_error(string name)
    {
        var (path, error) = PluginArchive.Normalize(name);

        Assert.Null(path);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/plugin.yaml")]
    [InlineData("/")]
    public void Normalize_rejects_an_absolute_name(string name)
    {
        var (path, error) = PluginArchive.Normalize(name);

        Assert.Null(path);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("./../x")]
    [InlineData("a/../b")]
    [InlineData("a/..")]
    [InlineData("a/../../x")]
    [InlineData("skills/../../etc/passwd")]
    public void Normalize_rejects_a_dot_dot_segment(string name)
    {
        var (path, error) = PluginArchive.Normalize(name);

        Assert.Null(path);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("a\\b")]
    [InlineData("..\\x")]
    [InlineData("\\etc\\passwd")]
    public void Normalize_rejects_a_backslash(string name)
    {
        var (path, error) = PluginArchive.Normalize(name);

        Assert.Null(path);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("a\0b")]
    [InlineData("plugin.yaml\0.txt")]
    [InlineData("\0")]
    public void Normalize_rejects_a_nul(string name)
    {
        var (path, error) = PluginArchive.Normalize(name);

        Assert.Null(path);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
