using System.Collections.Concurrent;

namespace LiveChat.Server.Storage;

/// <summary>Feedback for the embedded default: kept in this process, sorted when asked.</summary>
public sealed class InMemoryFeedbackStore : IFeedbackStore
{
    private readonly ConcurrentDictionary<string, FeedbackEntry> _entries = new(StringComparer.Ordinal);

    public Task SaveAsync(FeedbackEntry entry)
    {
        _entries[entry.ConversationId] = entry;
        return Task.CompletedTask;
    }

    public Task<FeedbackEntry?> GetAsync(string conversationId) => Task.FromResult(_entries.GetValueOrDefault(conversationId));

    public Task<FeedbackPage> QueryAsync(FeedbackQuery query)
    {
        var matching = _entries.Values
            .Where(e => query.Before is not { } before || e.RatedAt < before)
            .Where(e => IFeedbackStore.Matches(e, query))
            .OrderByDescending(e => e.RatedAt)
            .Take(query.Limit + 1)
            .ToList();
        var items = matching.Take(query.Limit).ToList();
        return Task.FromResult(new FeedbackPage(items, matching.Count > query.Limit ? items[^1].RatedAt : null));
    }
}
