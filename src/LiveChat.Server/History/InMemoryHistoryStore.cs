namespace LiveChat.Server.History;

/// <summary>The history of the embedded default: in this process, gone with it, answering as PostgreSQL would.</summary>
public sealed class InMemoryHistoryStore : IHistoryStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ArchivedConversation> _conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<(ArchiveStream, long), ArchivedMessage>> _messages = new(StringComparer.Ordinal);

    public Task RecordAsync(IReadOnlyList<ArchivedConversation> conversations, IReadOnlyList<ArchivedMessage> messages, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            foreach (var conversation in conversations)
            {
                if (!_conversations.TryGetValue(conversation.Id, out var known) || known.Version < conversation.Version)
                    _conversations[conversation.Id] = ArchiveTime.Of(conversation);
            }
            foreach (var message in messages.Select(ArchiveTime.Of))
            {
                if (!_messages.TryGetValue(message.Message.ConversationId, out var stored))
                    _messages[message.Message.ConversationId] = stored = [];
                stored.TryAdd((message.Stream, message.Message.Seq), message);
            }
        }
        return Task.CompletedTask;
    }

    public Task<ArchivePage> SearchAsync(ArchiveQuery query, CancellationToken cancellationToken = default)
    {
        query.EnsureValid();
        var words = query.Text is { } text ? ArchiveWords.Of(text) : [];
        lock (_lock)
        {
            var matching = _conversations.Values
                .Where(c => query.From is not { } from || c.CreatedAt >= ArchiveTime.Of(from))
                .Where(c => query.To is not { } to || c.CreatedAt < ArchiveTime.Of(to))
                .Where(c => query.Queue is null || c.Queue == query.Queue)
                .Where(c => query.AgentId is null || c.AgentId == query.AgentId)
                .Where(c => query.Status is null || c.Status == query.Status)
                .Where(c => query.Text is null || (words.Count > 0 && _messages.TryGetValue(c.Id, out var stored) && stored.Values.Any(m => ArchiveWords.HasAll(m.Message.Text, words))))
                .OrderByDescending(c => c.CreatedAt)
                .ThenBy(c => c.Id, StringComparer.Ordinal)
                .ToList();
            return Task.FromResult(new ArchivePage(matching.Skip(query.Offset).Take(query.Limit).ToList(), matching.Count));
        }
    }

    public Task<IReadOnlyDictionary<(string ConversationId, ArchiveStream Stream), long>> LastSeqsAsync(IReadOnlyList<string> conversationIds, CancellationToken cancellationToken = default)
    {
        var last = new Dictionary<(string, ArchiveStream), long>();
        lock (_lock)
        {
            foreach (var id in conversationIds)
            {
                if (!_messages.TryGetValue(id, out var stored))
                    continue;
                foreach (var ((stream, seq), _) in stored)
                    last[(id, stream)] = Math.Max(last.GetValueOrDefault((id, stream)), seq);
            }
        }
        return Task.FromResult<IReadOnlyDictionary<(string, ArchiveStream), long>>(last);
    }

    public Task<IReadOnlyList<ArchivedMessage>> MessagesAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<ArchivedMessage>>(_messages.TryGetValue(conversationId, out var stored) ? [.. stored.Values] : []);
    }
}
