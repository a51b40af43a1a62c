using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using LiveChat.Server.History;

namespace LiveChat.Server.Storage;

/// <summary>
/// The message log of the embedded default: one node, kept in this process. A conversation's messages are kept
/// encoded, one after another in a few large chunks, and found again by position. Kept as records, each stored message was
/// half a dozen objects (the record, its strings, a composed send key) that every garbage collection had to trace and
/// copy while a busy node stores thousands a second; those copies were the long pauses behind the chat's latency
/// tail (docs/performance.md, "The chat tail: third look"). Given <paramref name="history"/> (a history kept elsewhere,
/// in PostgreSQL), a message stored marks its stream for it, as the Redis log's append does.
/// </summary>
public sealed class InMemoryMessageLog(InMemoryHistoryFeed? history = null) : IMessageLog
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
            history?.Appended(stream);
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
    /// its time, written whole into a chunk: small for a short conversation, growing to 64 KB, then 64 KB chunks one
    /// after another (under the large-object heap's threshold, and never copied when a conversation grows). Sends are
    /// found again by a hash of sender and client message id, checked against the stored message; the rare two sends
    /// with the same hash keep their keys as strings.
    /// </summary>
    private sealed class ConversationLog(string conversationId)
    {
        private const int FirstChunk = 512;
        private const int LargestChunk = 64 * 1024;
        private const int TimeBytes = 10;
        private readonly List<byte[]> _chunks = [];
        private int _used;
        // Where message i starts: its chunk in the high 32 bits, the offset within it in the low 32.
        private long[] _starts = new long[8];
        private readonly Dictionary<int, int> _bySendHash = [];
        private Dictionary<string, int>? _collided;

        public int Count { get; private set; }

        public void Add(ChatMessage message)
        {
            if (message.ConversationId != conversationId)
                throw new InvalidOperationException($"a message of {message.ConversationId} in the log of {conversationId}");
            ReadOnlySpan<string> fields = [message.SenderRole, message.SenderId, message.SenderName, message.Text, message.ClientMessageId, message.Kind];
            var size = TimeBytes;
            foreach (var field in fields)
                size += 4 + 2 * field.Length;
            var chunk = Room(size);
            var at = _used;
            foreach (var field in fields)
            {
                BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(at), field.Length);
                MemoryMarshal.AsBytes(field.AsSpan()).CopyTo(chunk.AsSpan(at + 4));
                at += 4 + 2 * field.Length;
            }
            BinaryPrimitives.WriteInt64LittleEndian(chunk.AsSpan(at), message.SentAt.UtcTicks);
            BinaryPrimitives.WriteInt16LittleEndian(chunk.AsSpan(at + 8), (short)message.SentAt.Offset.TotalMinutes);

            if (Count == _starts.Length)
                Array.Resize(ref _starts, Count * 2);
            _starts[Count] = ((long)(_chunks.Count - 1) << 32) | (uint)_used;
            _used += size;
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
            var chunk = _chunks[(int)(_starts[index] >> 32)];
            var at = (int)(uint)_starts[index];
            var role = ReadString(chunk, ref at);
            var senderId = ReadString(chunk, ref at);
            var senderName = ReadString(chunk, ref at);
            var text = ReadString(chunk, ref at);
            var clientMessageId = ReadString(chunk, ref at);
            var kind = ReadString(chunk, ref at);
            var ticks = BinaryPrimitives.ReadInt64LittleEndian(chunk.AsSpan(at));
            var offset = TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16LittleEndian(chunk.AsSpan(at + 8)));
            var sentAt = new DateTimeOffset(ticks + offset.Ticks, offset);
            return new ChatMessage(conversationId, index + 1, role, senderId, senderName, text, sentAt, clientMessageId, kind);
        }

        private static int SendHash(string senderId, string clientMessageId) => HashCode.Combine(senderId, clientMessageId);

        private static string ReadString(byte[] chunk, ref int at)
        {
            var chars = BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(at));
            var value = new string(MemoryMarshal.Cast<byte, char>(chunk.AsSpan(at + 4, chars * 2)));
            at += 4 + chars * 2;
            return value;
        }

        /// <summary>The chunk a message of <paramref name="size"/> bytes is written into: the current one, or a new one.</summary>
        private byte[] Room(int size)
        {
            if (_chunks.Count > 0 && _used + size <= _chunks[^1].Length)
                return _chunks[^1];
            // A new chunk twice the last, up to the largest; one message larger than that gets a chunk of its own size.
            var last = _chunks.Count > 0 ? _chunks[^1].Length : FirstChunk / 2;
            var chunk = new byte[Math.Max(size, Math.Min(last * 2, LargestChunk))];
            _chunks.Add(chunk);
            _used = 0;
            return chunk;
        }
    }
}
