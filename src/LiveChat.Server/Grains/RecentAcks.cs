using LiveChat.Contracts;

namespace LiveChat.Server.Grains;

/// <summary>
/// The acks of a conversation's latest sends, so the common retry (the same send again after a reconnect) is
/// answered without a trip to the log. Older retries are still caught by the log itself.
/// </summary>
internal sealed class RecentAcks(int capacity)
{
    private readonly Dictionary<string, MessageAck> _acks = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool TryGet(string clientMessageId, out MessageAck ack) => _acks.TryGetValue(clientMessageId, out ack!);

    public void Add(string clientMessageId, MessageAck ack)
    {
        if (!_acks.TryAdd(clientMessageId, ack))
            return;
        _order.Enqueue(clientMessageId);
        if (_order.Count > capacity)
            _acks.Remove(_order.Dequeue());
    }
}
