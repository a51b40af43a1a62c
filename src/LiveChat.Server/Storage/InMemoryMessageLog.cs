using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using LiveChat.Contracts;

namespace LiveChat.Server.Storage;

/// <summary>
/// The message log of the embedded default: one node, kept in this process. A conversation's messages are kept
/// encoded, one after another in one buffer, and found again by offset. Kept as records, each stored message was
/// half a dozen objects (the record, its strings, a composed send key) that every garbage collection had to trace and
/// copy while a busy node stores thousands a second; those copies were the long pauses behind the chat's latency
/// tail (docs/performance.md, "The chat tail: third look").
/// </summary>
public sealed class InMemoryMessageLog : IMessageLog
{
    private readonly ConcurrentDictionary<string, ConversationLog> _logs = new();

    public Task<ChatMessage?> AppendAsync(string stream, ChatMessage message)
    {
        var log = _logs.GetOrAdd(stream, _ => new ConversationLog(message.ConversationId));
        lock (log)
        {
            if (log.Find(message.SenderId, message.ClientMessageId) is { } earlier)
                return Task.FromResult<ChatMessage?>(earlier);
            if (message.Seq != log.Count + 1)
                throw new InvalidOperationException($"stream {stream}: seq {message.Seq} does not follow {log.Count}");
            log.Add(message);
            return Task.FromResult<ChatMessage?>(null);
        }
    }

    public Task<ChatMessage?> FindAsync(string stream, string senderId, string clientMessageId)
    {
        if (!_logs.TryGetValue(stream, out var log))
            return Task.FromResult<ChatMessage?>(null);
        lock (log)
            return Task.FromResult(log.Find(senderId, clientMessageId));
    }

    public Task<IReadOnlyList<ChatMessage>> ReadAsync(string stream, long afterSeq, int limit)
    {
        if (!_logs.TryGetValue(stream, out var log))
            return Task.FromResult<IReadOnlyList<ChatMessage>>([]);
        lock (log)
        {
            // seq n is message n - 1
            var start = (int)Math.Clamp(afterSeq, 0, log.Count);
            var count = Math.Max(0, Math.Min(limit, log.Count - start));
            var page = new ChatMessage[count];
            for (var i = 0; i < count; i++)
                page[i] = log.Read(start + i);
            return Task.FromResult<IReadOnlyList<ChatMessage>>(page);
        }
    }

    public Task<long> GetLastSeqAsync(string stream)
    {
        if (!_logs.TryGetValue(stream, out var log))
            return Task.FromResult(0L);
        lock (log)
            return Task.FromResult((long)log.Count);
    }

    /// <summary>
    /// One stream's messages. Each is its strings as UTF-16 (exactly as sent, whatever the characters) with lengths, and
    /// its time, written into one growing buffer. Sends are found again by a hash of sender and client message id,
    /// checked against the stored message; the rare two sends with the same hash keep their keys as strings.
    /// </summary>
    private sealed class ConversationLog(string conversationId)
    {
        private byte[] _data = new byte[512];
        private int _length;
        private int[] _offsets = new int[8];
        private readonly Dictionary<int, int> _bySendHash = [];
        private Dictionary<string, int>? _collided;

        public int Count { get; private set; }

        public void Add(ChatMessage message)
        {
            if (message.ConversationId != conversationId)
                throw new InvalidOperationException($"a message of {message.ConversationId} in the log of {conversationId}");
            if (Count == _offsets.Length)
                Array.Resize(ref _offsets, Count * 2);
            _offsets[Count] = _length;
            Write(message.SenderRole);
            Write(message.SenderId);
            Write(message.SenderName);
            Write(message.Text);
            Write(message.ClientMessageId);
            Write(message.Kind);
            Reserve(10);
            BinaryPrimitives.WriteInt64LittleEndian(_data.AsSpan(_length), message.SentAt.UtcTicks);
            BinaryPrimitives.WriteInt16LittleEndian(_data.AsSpan(_length + 8), (short)message.SentAt.Offset.TotalMinutes);
            _length += 10;

            var index = Count++;
            if (!_bySendHash.TryAdd(SendHash(message.SenderId, message.ClientMessageId), index))
                (_collided ??= new(StringComparer.Ordinal))[IMessageLog.SendKey(message.SenderId, message.ClientMessageId)] = index;
        }

        public ChatMessage? Find(string senderId, string clientMessageId)
        {
            if (!_bySendHash.TryGetValue(SendHash(senderId, clientMessageId), out var index))
                return null;
            var found = Read(index);
            if (found.SenderId == senderId && found.ClientMessageId == clientMessageId)
                return found;
            return _collided?.TryGetValue(IMessageLog.SendKey(senderId, clientMessageId), out index) == true ? Read(index) : null;
        }

        public ChatMessage Read(int index)
        {
            var at = _offsets[index];
            var role = ReadString(ref at);
            var senderId = ReadString(ref at);
            var senderName = ReadString(ref at);
            var text = ReadString(ref at);
            var clientMessageId = ReadString(ref at);
            var kind = ReadString(ref at);
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(_data.AsSpan(at));
            var offset = TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16LittleEndian(_data.AsSpan(at + 8)));
            var sentAt = new DateTimeOffset(ticks + offset.Ticks, offset);
            return new ChatMessage(conversationId, index + 1, role, senderId, senderName, text, sentAt, clientMessageId, kind);
        }

        private static int SendHash(string senderId, string clientMessageId) => HashCode.Combine(senderId, clientMessageId);

        private void Write(string value)
        {
            var bytes = MemoryMarshal.AsBytes(value.AsSpan());
            Reserve(4 + bytes.Length);
            BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(_length), value.Length);
            bytes.CopyTo(_data.AsSpan(_length + 4));
            _length += 4 + bytes.Length;
        }

        private string ReadString(ref int at)
        {
            var chars = BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(at));
            var value = new string(MemoryMarshal.Cast<byte, char>(_data.AsSpan(at + 4, chars * 2)));
            at += 4 + chars * 2;
            return value;
        }

        private void Reserve(int bytes)
        {
            if (_length + bytes > _data.Length)
                Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + bytes));
        }
    }
}
