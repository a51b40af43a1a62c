namespace LiveChat.Contracts;

/// <summary>What a participant sees of a conversation; <see cref="VisitorEmail"/> is the email the visitor gave, if any, for staff to answer by.</summary>
[GenerateSerializer, Alias("ConversationView"), Immutable]
public sealed record ConversationView(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Queue,
    [property: Id(2)] ConversationStatus Status,
    [property: Id(3)] string VisitorId,
    [property: Id(4)] string VisitorName,
    [property: Id(5)] string? AgentId,
    [property: Id(6)] string? AgentName,
    [property: Id(7)] int? QueuePosition,
    [property: Id(8)] int? EstimatedWaitSeconds,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] DateTimeOffset? AssignedAt,
    [property: Id(11)] DateTimeOffset? ClosedAt,
    [property: Id(12)] long LastSeq,
    [property: Id(13)] string? Topic,
    [property: Id(14)] Rating? Rating,
    [property: Id(15)] double? FirstResponseSeconds = null,
    [property: Id(16)] bool VisitorVerified = false,
    [property: Id(17)] string? VisitorEmail = null,
    [property: Id(18)] VisitorPresence? VisitorPresence = null,
    [property: Id(19)] string? ClosedReason = null);

/// <summary>Why a conversation closed when nobody closed it: <see cref="ConversationView.ClosedReason"/>.</summary>
public static class ClosedReasons
{
    /// <summary>The visitor left while waiting, and was gone past the grace.</summary>
    public const string Abandoned = "abandoned";

    /// <summary>The visitor left an assigned chat, and was gone past the grace.</summary>
    public const string VisitorLeft = "visitor-left";

    /// <summary>Nobody wrote in an assigned chat for its queue's <c>IdleSeconds</c>.</summary>
    public const string Idle = "idle";
}

/// <summary>A conversation as stored, for the history: its view and the version of its state (higher is newer).</summary>
[GenerateSerializer, Alias("ConversationSnapshot"), Immutable]
public sealed record ConversationSnapshot([property: Id(0)] ConversationView View, [property: Id(1)] long Version);
