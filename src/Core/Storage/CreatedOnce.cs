using System.Collections.Concurrent;

namespace Molecule.Core.Storage;

/// <summary>
/// Containers, tables and queues are created once per process on first use; a failed creation is forgotten
/// so the next call tries again.
/// </summary>
public sealed class CreatedOnce<T>(Func<string, Task<T>> create)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> items = new();

    public Task<T> GetAsync(string name, CancellationToken ct) =>
        items.GetOrAdd(name, n => new Lazy<Task<T>>(async () =>
        {
            try
            {
                return await create(n);
            }
            catch
            {
                items.TryRemove(n, out _);
                throw;
            }
        })).Value.WaitAsync(ct);
}
