using System.Collections.Concurrent;
using LiveChat.Server.Routing;

namespace LiveChat.Server.Storage;

/// <summary>The queue store of the embedded default: one node, kept in this process.</summary>
public sealed class InMemoryQueueStore(TimeProvider time) : IQueueStore
{
    private sealed class Stored
    {
        public readonly Dictionary<string, (QueueEntry Entry, long Order)> Line = new(StringComparer.Ordinal);
        // Notices in the order they were sent, by id.
        public readonly Dictionary<string, (long Sent, PendingNotice Notice)> Notices = new(StringComparer.Ordinal);
        public readonly Dictionary<string, DateTimeOffset> HandBacks = new(StringComparer.Ordinal);
        public long NoticesSent;
    }

    private readonly ConcurrentDictionary<string, Stored> _queues = new(StringComparer.Ordinal);

    public Task<StoredQueue> LoadAsync(string queue)
    {
        var stored = Of(queue);
        lock (stored)
        {
            return Task.FromResult(new StoredQueue(
                stored.Line.Values.ToList(),
                stored.Notices.Values.OrderBy(n => n.Sent).Select(n => n.Notice).ToList()));
        }
    }

    public Task<bool> TookHandBackAsync(string queue, string handBackId)
    {
        var stored = Of(queue);
        lock (stored)
            return Task.FromResult(stored.HandBacks.ContainsKey(handBackId));
    }

    public Task ApplyAsync(string queue, IReadOnlyList<QueueChange> changes)
    {
        var stored = Of(queue);
        var now = time.GetUtcNow();
        lock (stored)
        {
            foreach (var change in changes)
                Apply(stored, change, now);
        }
        return Task.CompletedTask;
    }

    private static void Apply(Stored stored, QueueChange change, DateTimeOffset now)
    {
        foreach (var id in change.Line.LeftIds)
            stored.Line.Remove(id);
        foreach (var joined in change.Line.JoinedEntries)
            stored.Line[joined.Entry.ConversationId] = joined;
        foreach (var notice in change.NoticesAdded)
            stored.Notices[notice.Id] = (++stored.NoticesSent, notice);
        foreach (var id in change.NoticesStruck)
            stored.Notices.Remove(id);
        if (change.HandBackId is { } handBack)
        {
            stored.HandBacks[handBack] = now;
            foreach (var old in stored.HandBacks.Where(h => now - h.Value > IQueueStore.HandBacksKeptFor).Select(h => h.Key).ToList())
                stored.HandBacks.Remove(old);
        }
    }

    private Stored Of(string queue) => _queues.GetOrAdd(queue, _ => new Stored());
}
