namespace LiveChat.Server.History;

/// <summary>
/// A node on Redis without PostgreSQL keeps no history (one in memory per node would be partial and lost with the node),
/// so nothing is marked and nothing waits to be taken.
/// </summary>
public sealed class NoHistoryFeed : IHistoryFeed
{
    public Task MarkAsync(string conversationId) => Task.CompletedTask;

    public Task<HistoryMarks> PendingAsync(int max) => Task.FromResult(HistoryMarks.None);

    public Task ClearAsync(HistoryMarks marks) => Task.CompletedTask;

    public Task<bool> LeadAsync(string node, TimeSpan lease) => Task.FromResult(false);

    public Task ReleaseAsync(string node) => Task.CompletedTask;
}
