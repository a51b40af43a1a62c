using LiveChat.Server.Storage;

namespace LiveChat.Tests.Infrastructure;

/// <summary>An offline message store that fails the write a test planned (<see cref="Faults.OfflineMessageWrite"/>), before or after applying it.</summary>
public sealed class FaultyOfflineMessageStore(IOfflineMessageStore store, Faults faults) : IOfflineMessageStore
{
    public Task<IReadOnlyList<OfflineMessage>> LoadAsync(string queue) => store.LoadAsync(queue);

    public async Task SaveAsync(OfflineMessage message, string? dropped = null)
    {
        var fault = faults.Take(Faults.Store.Offline, message.Queue, message);
        if (fault == FaultAt.BeforeApplied)
            throw Faults.Error(FaultAt.BeforeApplied, $"offline message {message.Id}");
        await store.SaveAsync(message, dropped);
        if (fault == FaultAt.AfterApplied)
            throw Faults.Error(FaultAt.AfterApplied, $"offline message {message.Id}");
    }
}
