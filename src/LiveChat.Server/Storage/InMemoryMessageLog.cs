using System.Collections.Concurrent;
using LiveChat.Contracts;

namespace LiveChat.Server.Storage;

/// <summary>The message log of the embedded default: one node, kept in this process.</summary>
public sealed class InMemoryMessageLog : IMessageLog
{
    private readonly ConcurrentDictionary<string, ConversationLog> _logs = new();

    public Task<ChatMessage?> AppendAsync(string stream, ChatMessage message)
    {
        var log = _logs.GetOrAdd(stream, _ => new ConversationLog());
        lock (log)
        {
            var key = IMessageLog.SendKey(message.SenderId, message.ClientMessageId);
            if (log.BySendKey.TryGetValue(key, out var index))
                return Task.FromResult<ChatMessage?>(log.Messages[index]);
            if (message.Seq != log.Messages.Count + 1)
                throw new InvalidOperationException($"stream {stream}: seq {message.Seq} does not follow {log.Messages.Count}");
            log.BySendKey[key] = log.Messages.Count;
            log.Messages.Add(message);
            return Task.FromResult<ChatMessage?>(null);
        }
    }

    public Task<ChatMessage?> FindAsync(string stream, string senderId, string clientMessageId)
    {
        if (!_logs.TryGetValue(stream, out var log))
            return Task.FromResult<ChatMessage?>(null);
        lock (log)
            return Task.FromResult(log.BySendKey.TryGetValue(IMessageLog.SendKey(senderId, clientMessageId), out var index) ? log.Messages[index] : null);
    }

    public Task<IReadOnlyList<ChatMessage>> ReadAsync(string stream, long afterSeq, int limit)
    {
        if (!_logs.TryGetValue(stream, out var log))
            return Task.FromResult<IReadOnlyList<ChatMessage>>([]);
        lock (log)
        {
            // seq n is stored at index n - 1
            var start = (int)Math.Clamp(afterSeq, 0, log.Messages.Count);
            var count = Math.Min(limit, log.Messages.Count - start);
            return Task.FromResult<IReadOnlyList<ChatMessage>>(log.Messages.GetRange(start, count));
        }
    }

    public Task<long> GetLastSeqAsync(string stream)
    {
        if (!_logs.TryGetValue(stream, out var log))
            return Task.FromResult(0L);
        lock (log)
            return Task.FromResult((long)log.Messages.Count);
    }

    private sealed class ConversationLog
    {
        public List<ChatMessage> Messages { get; } = [];
        public Dictionary<string, int> BySendKey { get; } = new(StringComparer.Ordinal);
    }
}
