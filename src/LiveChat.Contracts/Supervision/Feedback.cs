namespace LiveChat.Contracts;

/// <summary>A visitor's rating of a conversation as supervisors review it.</summary>
[GenerateSerializer, Alias("FeedbackEntry"), Immutable]
public sealed record FeedbackEntry(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Queue,
    [property: Id(2)] string? AgentId,
    [property: Id(3)] string? AgentName,
    [property: Id(4)] string VisitorId,
    [property: Id(5)] string VisitorName,
    [property: Id(6)] int Score,
    [property: Id(7)] string? Comment,
    [property: Id(8)] DateTimeOffset RatedAt,
    [property: Id(9)] int Revisions,
    [property: Id(10)] string? ReviewedBy,
    [property: Id(11)] DateTimeOffset? ReviewedAt)
{
    public bool Reviewed => ReviewedAt is not null;
}

/// <summary>Argument of <c>GetFeedback</c>: every filter is optional; <see cref="Before"/> pages to older entries.</summary>
[GenerateSerializer, Alias("FeedbackQuery"), Immutable]
public sealed record FeedbackQuery(
    [property: Id(0)] string? Queue = null,
    [property: Id(1)] string? AgentId = null,
    [property: Id(2)] int? Score = null,
    [property: Id(3)] bool? Reviewed = null,
    [property: Id(4)] DateTimeOffset? Before = null,
    [property: Id(5)] int Limit = 50);

/// <summary>A page of feedback, newest first; <see cref="NextBefore"/> asks for the next page, null at the end.</summary>
[GenerateSerializer, Alias("FeedbackPage"), Immutable]
public sealed record FeedbackPage(
    [property: Id(0)] IReadOnlyList<FeedbackEntry> Items,
    [property: Id(1)] DateTimeOffset? NextBefore);
