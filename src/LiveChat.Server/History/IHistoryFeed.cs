namespace LiveChat.Server.History;

/// <summary>
/// Which conversations changed since the history last took them: a mark per conversation, stamped anew by every change
/// (a message appended, in the same Redis script as the append; a state written, just before the write). The archiver
/// takes marks, stores what they point at, and clears a mark only when its stamp has not moved meanwhile, so a change
/// made while it worked is taken next time. Marks outlive a node's crash and a database outage: they wait, one per
/// conversation however many changes, and the chat never waits on them.
/// </summary>
public interface IHistoryFeed
{
    /// <summary>Marks a conversation as changed.</summary>
    Task MarkAsync(string conversationId);

    /// <summary>Up to <paramref name="max"/> marked conversations, with their stamps.</summary>
    Task<IReadOnlyList<HistoryMark>> PendingAsync(int max);

    /// <summary>Clears each of these marks whose stamp is still the one read.</summary>
    Task ClearAsync(IReadOnlyList<HistoryMark> marks);

    /// <summary>Whether <paramref name="node"/> keeps the history now, for the next <paramref name="lease"/>: one node at a time.</summary>
    Task<bool> LeadAsync(string node, TimeSpan lease);
}

/// <summary>A conversation marked as changed, and the count of its marks when read.</summary>
public readonly record struct HistoryMark(string ConversationId, double Stamp);
