namespace LiveChat.Server.History;

/// <summary>
/// What changed since the history last took it, as marks of two kinds: a conversation whose state was written (marked
/// just before the write), and a log stream a message was appended to (marked in the append's own step, in the same
/// Redis script). Every change stamps its mark anew with a number never used before; the archiver takes the oldest marks,
/// stores what they point at, and clears a mark only when its stamp has not moved meanwhile, so a change made while it
/// worked is taken next time. Marks outlive
/// a node's crash and a database outage: they wait, one per conversation or stream however many changes, and the chat
/// never waits on them. A message costs the archiver a read of its stream, not a call to its conversation.
/// </summary>
public interface IHistoryFeed
{
    /// <summary>Marks a conversation whose state changed.</summary>
    Task MarkAsync(string conversationId);

    /// <summary>Up to <paramref name="max"/> marks of each kind, oldest first, with their stamps.</summary>
    Task<HistoryMarks> PendingAsync(int max);

    /// <summary>Clears each of these marks whose stamp is still the one read.</summary>
    Task ClearAsync(HistoryMarks marks);

    /// <summary>Whether <paramref name="node"/> keeps the history now, for the next <paramref name="lease"/>: one node at a time.</summary>
    Task<bool> LeadAsync(string node, TimeSpan lease);

    /// <summary>Gives the lease up if <paramref name="node"/> holds it, so another node takes the history at once.</summary>
    Task ReleaseAsync(string node);
}

/// <summary>A conversation or log stream marked as changed, and the stamp of its latest mark when read.</summary>
public readonly record struct HistoryMark(string Key, double Stamp);

/// <summary>Marked conversations (their state) and marked log streams (their messages, by stream name).</summary>
public sealed record HistoryMarks(IReadOnlyList<HistoryMark> Conversations, IReadOnlyList<HistoryMark> Streams)
{
    public static readonly HistoryMarks None = new([], []);

    public int Count => Conversations.Count + Streams.Count;
}
