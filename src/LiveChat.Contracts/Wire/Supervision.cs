namespace LiveChat.Contracts;

/// <summary>The answer to <c>WatchConversation</c>: the conversation, its latest messages and its latest whispers and notes.</summary>
[GenerateSerializer, Alias("WatchedConversation"), Immutable]
public sealed record WatchedConversation(
    [property: Id(0)] ConversationView Conversation,
    [property: Id(1)] IReadOnlyList<ChatMessage> Messages,
    [property: Id(2)] IReadOnlyList<ChatMessage> InternalMessages);

/// <summary>A reply agents of a queue can insert by its shortcut; supervisors manage them.</summary>
[GenerateSerializer, Alias("CannedResponse"), Immutable]
public sealed record CannedResponse(
    [property: Id(0)] string Id,
    [property: Id(1)] string Queue,
    [property: Id(2)] string Shortcut,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] string UpdatedBy);

/// <summary>Argument of <c>SaveCannedResponse</c>: a new response when <see cref="Id"/> is null, else a change to that one.</summary>
[GenerateSerializer, Alias("CannedResponseRequest"), Immutable]
public sealed record CannedResponseRequest(
    [property: Id(0)] string? Id,
    [property: Id(1)] string Shortcut,
    [property: Id(2)] string Text);

/// <summary>A message from supervisors to every visitor, shown as a banner until it expires or is withdrawn; <see cref="PublishedBy"/> is the supervisor's id.</summary>
[GenerateSerializer, Alias("Announcement"), Immutable]
public sealed record Announcement(
    [property: Id(0)] string Id,
    [property: Id(1)] string Text,
    [property: Id(2)] string Severity,
    [property: Id(3)] DateTimeOffset PublishedAt,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] string PublishedBy);

/// <summary>Argument of <c>PublishAnnouncement</c>; <see cref="ExpiresInMinutes"/> defaults to 60.</summary>
[GenerateSerializer, Alias("AnnouncementRequest"), Immutable]
public sealed record AnnouncementRequest(
    [property: Id(0)] string Text,
    [property: Id(1)] string? Severity = null,
    [property: Id(2)] int? ExpiresInMinutes = null);

public static class AnnouncementSeverities
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Critical = "critical";

    public static readonly IReadOnlyList<string> All = [Info, Warning, Critical];
}

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
