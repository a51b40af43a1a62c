using LiveChat.Server.Storage;

namespace LiveChat.Tests.Infrastructure;

/// <summary>A queue store that fails the changes a test planned (<see cref="Faults.QueueWrite"/>), before or after applying them.</summary>
public sealed class FaultyQueueStore(IQueueStore store, Faults faults) : IQueueStore
{
    public Task<StoredQueue> LoadAsync(string queue) => store.LoadAsync(queue);

    public Task<bool> TookHandBackAsync(string queue, string handBackId) => store.TookHandBackAsync(queue, handBackId);

    public async Task ApplyAsync(string queue, IReadOnlyList<QueueChange> changes)
    {
        var fault = changes.Select(change => faults.Take(Faults.Store.Queue, queue, change)).FirstOrDefault(f => f is not null);
        if (fault == FaultAt.BeforeApplied)
            throw Faults.Error(FaultAt.BeforeApplied, $"queue {queue}");
        await store.ApplyAsync(queue, changes);
        if (fault == FaultAt.AfterApplied)
            throw Faults.Error(FaultAt.AfterApplied, $"queue {queue}");
    }
}
