using Molecule.Core.Storage;

namespace Molecule.Core.Plugins;

/// <summary>A published plugin (table "plugins", PartitionKey "plugin", RowKey = name); the archive is blob plugins/&lt;name&gt;.tar.gz.</summary>
public sealed class PluginEntity : TableRow
{
    public const string Partition = "plugin";

    public PluginEntity() => PartitionKey = Partition;


    public string Version { get; set; } = "";
    public string Description { get; set; } = "";
    public string Author { get; set; } = "";
    public string Tags { get; set; } = "[]";
    public string Runtimes { get; set; } = "[]";
    public int Files { get; set; }
    public long Bytes { get; set; }
    public string ArchiveETag { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }

    public string Name => RowKey;
}

/// <summary>What a workspace reported installing (table "plugininstalls", PartitionKey = workspace, RowKey = plugin name).</summary>
public sealed class PluginInstallEntity : TableRow
{

    public string Source { get; set; } = "";
    public string Version { get; set; } = "";
    public DateTimeOffset InstalledAt { get; set; }
}
