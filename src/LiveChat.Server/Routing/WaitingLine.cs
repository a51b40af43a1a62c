namespace LiveChat.Server.Routing;

/// <summary>
/// The conversations waiting in a queue, in the order they will be taken: arrivals at the back, transfers and chats an
/// agent gave back at the head. A conversation waits at most once. Works on the list stored in the queue's state.
/// </summary>
public sealed class WaitingLine(List<QueueEntry> entries)
{
    public int Count => entries.Count;

    /// <summary>The next to be taken, or null when nobody waits.</summary>
    public QueueEntry? Head => entries.Count > 0 ? entries[0] : null;

    /// <summary>1 for the head of the line, 0 when the conversation is not waiting.</summary>
    public int PositionOf(string conversationId) => entries.FindIndex(e => e.ConversationId == conversationId) + 1;

    /// <summary>Puts a conversation at the back, or at the head; false when it waits already (where it stands).</summary>
    public bool Join(QueueEntry entry, bool atHead)
    {
        if (PositionOf(entry.ConversationId) > 0)
            return false;
        entries.Insert(atHead ? 0 : entries.Count, entry);
        return true;
    }

    /// <summary>Puts conversations back at the head, in their order; returns those not already waiting, which were put back.</summary>
    public IReadOnlyList<QueueEntry> ReturnToHead(IEnumerable<QueueEntry> returned)
    {
        var back = returned.Where(e => PositionOf(e.ConversationId) == 0).DistinctBy(e => e.ConversationId).ToList();
        entries.InsertRange(0, back);
        return back;
    }

    /// <summary>Takes a conversation out wherever it stands; false when it was not waiting.</summary>
    public bool Remove(string conversationId) => entries.RemoveAll(e => e.ConversationId == conversationId) > 0;

    /// <summary>The ids of the first <paramref name="limit"/>, next in line first.</summary>
    public IReadOnlyList<string> FirstIds(int limit) => entries.Take(limit).Select(e => e.ConversationId).ToList();

    /// <summary>Each waiting conversation with its position, head first.</summary>
    public IEnumerable<(QueueEntry Entry, int Position)> WithPositions() => entries.Select((e, i) => (e, i + 1));

    /// <summary>How long the longest waiter has waited, in whole seconds; 0 when nobody waits.</summary>
    public int LongestWaitSeconds(DateTimeOffset now) => entries.Count == 0 ? 0 : (int)(now - entries.Min(e => e.EnqueuedAt)).TotalSeconds;

    /// <summary>How many have waited longer than <paramref name="seconds"/>.</summary>
    public int WaitingLongerThan(double seconds, DateTimeOffset now) => entries.Count(e => (now - e.EnqueuedAt).TotalSeconds > seconds);
}
