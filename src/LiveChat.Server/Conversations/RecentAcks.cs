namespace LiveChat.Server.Conversations;

/// <summary>
/// The acks of a conversation's latest sends, so the common retry (the same send again after a reconnect) is
/// answered without a trip to the log. Older retries are still caught by the log itself.
/// <para>
/// Kept in one ring of plain entries, made on the first send, rather than a dictionary of keys made per send and their
/// ack objects: each send then leaves behind only its client message id, which matters because what a send leaves
/// alive is what every young collection copies (a node on the chat path promoted 5.3 MB a collection with the
/// dictionary, 1.5 MB without any acks kept, docs/performance.md, issue 18). Sixteen entries are found by looking at each.
/// </para>
/// </summary>
internal sealed class RecentAcks(int capacity)
{
    private Entry[]? _entries;
    private int _next;

    public bool TryGet(string senderId, string clientMessageId, out MessageAck ack)
    {
        foreach (var entry in _entries ?? [])
        {
            if (entry.ClientMessageId == clientMessageId && entry.SenderId == senderId)
            {
                ack = entry.Ack;
                return true;
            }
        }
        ack = null!;
        return false;
    }

    /// <summary>Remembers the ack a retry of this send gets (so already marked as a duplicate); the first ack of a send stands.</summary>
    public void Add(string senderId, string clientMessageId, MessageAck ack)
    {
        if (TryGet(senderId, clientMessageId, out _))
            return;
        _entries ??= new Entry[capacity];
        _entries[_next] = new Entry(senderId, clientMessageId, ack.ConversationId, ack.Seq, ack.SentAt);
        _next = (_next + 1) % capacity;
    }

    private readonly record struct Entry(string SenderId, string ClientMessageId, string ConversationId, long Seq, DateTimeOffset SentAt)
    {
        public MessageAck Ack => new(ConversationId, Seq, SentAt, Duplicate: true);
    }
}
