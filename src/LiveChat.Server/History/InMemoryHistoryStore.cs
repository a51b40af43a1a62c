using LiveChat.Server.Storage;

namespace LiveChat.Server.History;

/// <summary>
/// The history of the embedded default: in this process, gone with it, answering as PostgreSQL would. Given the node's
/// in-memory message log (<paramref name="log"/>), it keeps conversations only and reads their messages from the log,
/// which already holds every one of them compactly: a copy of each as objects cost the node's collector a third more
/// time at 2,000 messages a second. Without one, it keeps the messages it is given, as the PostgreSQL store does.
/// </summary>
public sealed class InMemoryHistoryStore(IMessageLog? log = null) : IHistoryStore
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
            if (log is not null)
                return Task.CompletedTask;
            foreach (var message in messages.Select(ArchiveTime.Of))
            {
                if (!_messages.TryGetValue(message.Message.ConversationId, out var stored))
                    _messages[message.Message.ConversationId] = stored = [];
                stored.TryAdd((message.Stream, message.Message.Seq), message);
            }
        }
        return Task.CompletedTask;
    }

    public async Task<ArchivePage> SearchAsync(ArchiveQuery query, CancellationToken cancellationToken = default)
    {
        query.EnsureValid();
        var words = query.Text is { } text ? ArchiveWords.Of(text) : [];
        List<ArchivedConversation> candidates;
        lock (_lock)
        {
            candidates = _conversations.Values
                .Where(c => query.From is not { } from || c.CreatedAt >= ArchiveTime.Of(from))
                .Where(c => query.To is not { } to || c.CreatedAt < ArchiveTime.Of(to))
                .Where(c => query.Queue is null || c.Queue == query.Queue)
                .Where(c => query.AgentId is null || c.AgentId == query.AgentId)
                .Where(c => query.Status is null || c.Status == query.Status)
                .OrderByDescending(c => c.CreatedAt)
                .ThenBy(c => c.Id, StringComparer.Ordinal)
                .ToList();
        }
        if (query.Text is not null)
        {
            var matching = new List<ArchivedConversation>();
            foreach (var c in candidates)
            {
                if (words.Count > 0 && (await MessagesAsync(c.Id, cancellationToken)).Any(m => ArchiveWords.HasAll(m.Message.Text, words)))
                    matching.Add(c);
            }
            candidates = matching;
        }
        return new ArchivePage(candidates.Skip(query.Offset).Take(query.Limit).ToList(), candidates.Count);
    }

    public async Task<IReadOnlyDictionary<(string ConversationId, ArchiveStream Stream), long>> LastSeqsAsync(IReadOnlyList<string> conversationIds, CancellationToken cancellationToken = default)
    {
        var last = new Dictionary<(string, ArchiveStream), long>();
        foreach (var id in conversationIds)
        {
            if (log is not null)
            {
                // Everything in the log is kept already: it is where the messages are read from.
                last[(id, ArchiveStream.Public)] = await log.GetLastSeqAsync(LogStreams.Public(id));
                last[(id, ArchiveStream.Internal)] = await log.GetLastSeqAsync(LogStreams.Internal(id));
                continue;
            }
            foreach (var m in await MessagesAsync(id, cancellationToken))
                last[(id, m.Stream)] = Math.Max(last.GetValueOrDefault((id, m.Stream)), m.Message.Seq);
        }
        return last;
    }

    public async Task<IReadOnlyList<ArchivedMessage>> MessagesAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        if (log is not null)
        {
            var visible = await log.ReadAsync(LogStreams.Public(conversationId), 0, int.MaxValue);
            var staff = await log.ReadAsync(LogStreams.Internal(conversationId), 0, int.MaxValue);
            return [.. visible.Select(m => ArchiveTime.Of(new ArchivedMessage(ArchiveStream.Public, m))),
                .. staff.Select(m => ArchiveTime.Of(new ArchivedMessage(ArchiveStream.Internal, m)))];
        }
        lock (_lock)
            return _messages.TryGetValue(conversationId, out var stored) ? [.. stored.Values] : [];
    }
}
