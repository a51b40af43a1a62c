namespace LiveChat.Server.History;

/// <summary>The marks of the embedded default, in this process (which is the only node).</summary>
public sealed class InMemoryHistoryFeed : IHistoryFeed
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _marks = new(StringComparer.Ordinal);

    public Task MarkAsync(string conversationId)
    {
        Mark(conversationId);
        return Task.CompletedTask;
    }

    public void Mark(string conversationId)
    {
        lock (_lock)
            _marks[conversationId] = _marks.GetValueOrDefault(conversationId) + 1;
    }

    public Task<IReadOnlyList<HistoryMark>> PendingAsync(int max)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<HistoryMark>>([.. _marks.Take(max).Select(m => new HistoryMark(m.Key, m.Value))]);
    }

    public Task ClearAsync(IReadOnlyList<HistoryMark> marks)
    {
        lock (_lock)
        {
            foreach (var mark in marks)
            {
                if (_marks.TryGetValue(mark.ConversationId, out var stamp) && stamp == mark.Stamp)
                    _marks.Remove(mark.ConversationId);
            }
        }
        return Task.CompletedTask;
    }

    public Task<bool> LeadAsync(string node, TimeSpan lease) => Task.FromResult(true);
}
