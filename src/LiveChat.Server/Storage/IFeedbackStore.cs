
namespace LiveChat.Server.Storage;

/// <summary>
/// Every visitor rating, one entry per conversation, for supervisors to read newest first and filter by queue, agent,
/// score and review. Only the conversation's grain writes its entry, so a save never races another save of it.
/// </summary>
public interface IFeedbackStore
{
    /// <summary>Stores the entry, replacing the conversation's earlier one.</summary>
    Task SaveAsync(FeedbackEntry entry);

    Task<FeedbackEntry?> GetAsync(string conversationId);

    /// <summary>Entries matching every filter given, newest rating first, rated before <see cref="FeedbackQuery.Before"/>.</summary>
    Task<FeedbackPage> QueryAsync(FeedbackQuery query);

    /// <summary>True when the entry passes the query's filters (the page position aside).</summary>
    static bool Matches(FeedbackEntry entry, FeedbackQuery query) =>
        (query.Queue is null || entry.Queue == query.Queue)
        && (query.AgentId is null || string.Equals(entry.AgentId, query.AgentId, StringComparison.OrdinalIgnoreCase))
        && (query.Score is null || entry.Score == query.Score)
        && (query.Reviewed is null || entry.Reviewed == query.Reviewed);
}
