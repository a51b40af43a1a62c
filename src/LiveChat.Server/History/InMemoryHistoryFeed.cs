namespace LiveChat.Server.History;

/// <summary>The marks of the embedded default, in this process (which is the only node).</summary>
public sealed class InMemoryHistoryFeed : IHistoryFeed
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _streams = new(StringComparer.Ordinal);
    // One counter stamps every mark: a stamp never repeats, and the oldest marks come first.
    private double _stamp;

    public Task MarkAsync(string conversationId)
    {
        Mark(_conversations, conversationId);
        return Task.CompletedTask;
    }

    /// <summary>A message was appended to <paramref name="stream"/> (the in-memory log says so as it stores it).</summary>
    public void Appended(string stream) => Mark(_streams, stream);

    public Task<HistoryMarks> PendingAsync(int max)
    {
        lock (_lock)
            return Task.FromResult(new HistoryMarks(Take(_conversations, max), Take(_streams, max)));
    }

    public Task ClearAsync(HistoryMarks marks)
    {
        lock (_lock)
        {
            Clear(_conversations, marks.Conversations);
            Clear(_streams, marks.Streams);
        }
        return Task.CompletedTask;
    }

    public Task<bool> LeadAsync(string node, TimeSpan lease) => Task.FromResult(true);

    public Task ReleaseAsync(string node) => Task.CompletedTask;

    private void Mark(Dictionary<string, double> marks, string key)
    {
        lock (_lock)
            marks[key] = ++_stamp;
    }

    private static List<HistoryMark> Take(Dictionary<string, double> marks, int max) =>
        [.. marks.OrderBy(m => m.Value).Take(max).Select(m => new HistoryMark(m.Key, m.Value))];

    private static void Clear(Dictionary<string, double> marks, IReadOnlyList<HistoryMark> read)
    {
        foreach (var mark in read)
        {
            if (marks.TryGetValue(mark.Key, out var stamp) && stamp == mark.Stamp)
                marks.Remove(mark.Key);
        }
    }
}
