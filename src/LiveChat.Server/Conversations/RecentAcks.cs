using LiveChat.Server.Storage;

namespace LiveChat.Server.Conversations;

/// <summary>
/// The acks of a conversation's latest sends, so the common retry (the same send again after a reconnect) is
/// answered without a trip to the log. Older retries are still caught by the log itself.
/// </summary>
internal sealed class RecentAcks(int capacity)
{
    private readonly Dictionary<string, MessageAck> _acks = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool TryGet(string senderId, string clientMessageId, out MessageAck ack) =>
        _acks.TryGetValue(IMessageLog.SendKey(senderId, clientMessageId), out ack!);

    /// <summary>Remembers the ack a retry of this send gets (so already marked as a duplicate).</summary>
    public void Add(string senderId, string clientMessageId, MessageAck ack)
    {
        var sendKey = IMessageLog.SendKey(senderId, clientMessageId);
        if (!_acks.TryAdd(sendKey, ack))
            return;
        _order.Enqueue(sendKey);
        if (_order.Count > capacity)
            _acks.Remove(_order.Dequeue());
    }
}
