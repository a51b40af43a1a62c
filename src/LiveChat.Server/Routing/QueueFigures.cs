using LiveChat.Server.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// A queue's own numbers for the dashboard, kept as things happen rather than counted from conversations: the waits of
/// recent assignments, recent first responses, the assigned chats still owed a first answer (and past the service
/// level), and the visitors' ratings. The recent windows live in memory (15 minutes); the ratings are stored with the queue.
/// </summary>
public sealed class QueueFigures(TimeSpan window)
{
    // An entry whose conversation never reported back (its node died) stops counting after this.
    private static readonly TimeSpan ForgetAwaitingAfter = TimeSpan.FromHours(12);

    // Each assignment's wait, at the time of assignment: the average wait, and the rate of assignments for estimates.
    private readonly RecentWindow _waits = new(window);
    private readonly RecentWindow _firstResponses = new(window);
    // Waiting chats whose visitor left before an agent was free.
    private readonly RecentWindow _abandoned = new(window);
    // Assigned conversations whose agent has not answered yet, with the time of assignment.
    private readonly Dictionary<string, DateTimeOffset> _awaitingFirstResponse = new(StringComparer.Ordinal);

    /// <summary>Someone is owed a first answer: the dashboard's breaches grow by themselves.</summary>
    public bool AnyAwaitingFirstResponse => _awaitingFirstResponse.Count > 0;

    /// <summary>A waiting conversation went to an agent: its wait counts, and an answer is owed from now.</summary>
    public void Assigned(QueueEntry entry, DateTimeOffset now)
    {
        _waits.Add(now, (now - entry.EnqueuedAt).TotalSeconds);
        _awaitingFirstResponse[entry.ConversationId] = now;
    }

    /// <summary>A waiting chat was abandoned: its visitor left.</summary>
    public void Abandoned(DateTimeOffset now) => _abandoned.Add(now, 1);

    /// <summary>No answer is owed any more (the chat is waiting again, closed, or moved on); true when one was.</summary>
    public bool NoLongerOwed(string conversationId) => _awaitingFirstResponse.Remove(conversationId);

    /// <summary>The agent answered; <paramref name="firstResponseSeconds"/> when it was the conversation's first answer. True when a figure changed.</summary>
    public bool Responded(string conversationId, double? firstResponseSeconds, DateTimeOffset now)
    {
        var wasOwed = NoLongerOwed(conversationId);
        if (firstResponseSeconds is { } seconds)
            _firstResponses.Add(now, seconds);
        return wasOwed || firstResponseSeconds is not null;
    }

    /// <summary>Chats assigned within the window, and the time since the oldest of them: the rate the wait estimate goes by.</summary>
    public (int Count, TimeSpan Span) RecentAssignments(DateTimeOffset now) =>
        (_waits.Count(now), _waits.Oldest(now) is { } oldest ? now - oldest : TimeSpan.Zero);

    public QueueStats Stats(string queue, WaitingLine line, IReadOnlyCollection<AgentView> agents, QueueRatings ratings, SlaOptions sla, DateTimeOffset now)
    {
        foreach (var stale in _awaitingFirstResponse.Where(a => now - a.Value > ForgetAwaitingAfter).Select(a => a.Key).ToList())
            _awaitingFirstResponse.Remove(stale);
        var online = agents.Where(a => a.Status == AgentStatus.Online).ToList();
        return new QueueStats(
            queue, line.Count, line.LongestWaitSeconds(now), online.Count,
            FreeCapacity: online.Sum(a => Math.Max(0, a.MaxConversations - a.ActiveConversations)),
            AgentsAway: agents.Count(a => a.Status == AgentStatus.Away),
            AverageWaitSeconds: _waits.Average(now),
            AverageFirstResponseSeconds: _firstResponses.Average(now),
            WaitingPastSla: line.WaitingLongerThan(sla.WaitSeconds, now),
            AwaitingFirstResponse: _awaitingFirstResponse.Count,
            FirstResponsePastSla: _awaitingFirstResponse.Values.Count(at => (now - at).TotalSeconds > sla.FirstResponseSeconds),
            CsatAverage: ratings.Average,
            Ratings: ratings.Count,
            Abandoned: _abandoned.Count(now));
    }
}

/// <summary>The visitors' ratings of a queue's chats: how many, and their sum, as stored with the queue.</summary>
public readonly record struct QueueRatings(int Count, long Sum)
{
    /// <summary>The average score to two places, or null before the first rating.</summary>
    public double? Average => Count == 0 ? null : Math.Round((double)Sum / Count, 2);

    /// <summary>A new rating, or a changed one (<paramref name="previousScore"/> set).</summary>
    public QueueRatings With(int score, int? previousScore) =>
        new(previousScore is null ? Count + 1 : Count, Sum + score - (previousScore ?? 0));
}
