using Azure;
using Azure.Data.Tables;

namespace Molecule.Core.Storage;

/// <summary>The four properties every table entity carries.</summary>
public abstract class TableRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}
