using LiveChat.Server.Reliability;
using Newtonsoft.Json;

namespace LiveChat.Server.Conversations;

/// <remarks>
/// Stored as JSON by property name (see <see cref="Storage.StoredTypeNames"/>): a renamed property keeps its stored name
/// with <see cref="JsonPropertyAttribute"/>, so state written before the rename still loads.
/// </remarks>
[GenerateSerializer, Alias("ConversationState")]
public sealed class ConversationState
{
    [Id(0)] public string Queue { get; set; } = "";
    [Id(1)] public string? Topic { get; set; }
    [Id(2)] public ConversationStatus Status { get; set; }
    [Id(3)] public string VisitorId { get; set; } = "";
    [Id(4)] public string VisitorName { get; set; } = "";
    [Id(5)] public string? AgentId { get; set; }
    [Id(6)] public string? AgentName { get; set; }
    [Id(7)] public DateTimeOffset CreatedAt { get; set; }
    [Id(8)] public DateTimeOffset? AssignedAt { get; set; }
    [Id(9)] public DateTimeOffset? ClosedAt { get; set; }
    [Id(10)] public string? ClosedBy { get; set; }
    [Id(11)] public long LastSeq { get; set; }
    [Id(12)] public Rating? Rating { get; set; }
    [Id(13)] public long VisitorReadSeq { get; set; }
    [Id(14)] public long AgentReadSeq { get; set; }
    [Id(15)] public DateTimeOffset? FirstResponseAt { get; set; }
    [Id(16)] public double? FirstResponseSeconds { get; set; }
    [Id(17)] public int RatingRevisions { get; set; }
    [Id(18)] public string? ReviewedBy { get; set; }
    [Id(19)] public DateTimeOffset? ReviewedAt { get; set; }
    // Connection ids of supervisors watching; kept in state so a reactivated grain still pushes to them.
    [Id(20)] public HashSet<string> Watchers { get; set; } = [];
    [Id(21)] public bool AnsweredSinceAssignment { get; set; }
    [Id(22)] public string? RatingQueue { get; set; }
    [Id(23)] public string? RatingAgentId { get; set; }
    [Id(24)] public string? RatingAgentName { get; set; }
    [Id(25)] public bool VisitorVerified { get; set; }
    /// <summary>The last of the queue's notices this conversation took (an assignment or a return), so a repeat of it is recognised.</summary>
    [Id(26), JsonProperty("AssignmentNoticeId")] public string? LastNoticeId { get; set; }
    /// <summary>The current assignment, recorded but not yet shown to everyone; see ShowAssignment.</summary>
    [Id(27), JsonProperty("Unannounced")] public PendingAssignmentLine? UnshownAssignment { get; set; }
    /// <summary>The email the visitor gave when the conversation started, if any.</summary>
    [Id(28)] public string? VisitorEmail { get; set; }
    /// <summary>The line the close writes in the chat, stored with the close so a retry writes the same line once.</summary>
    [Id(29)] public string? ClosedNote { get; set; }
    /// <summary>Why it closed when nobody closed it (see <see cref="ClosedReasons"/>).</summary>
    [Id(30)] public string? ClosedReason { get; set; }
    /// <summary>Grows with every write: the history keeps a conversation's row from the highest version it saw.</summary>
    [Id(31)] public long Version { get; set; }
}

/// <summary>
/// An assignment's line in the chat (with its id in the log) and the agent it replaced, until it is shown: the
/// conversation's own outbox message, delivered to itself.
/// </summary>
[GenerateSerializer, Alias("PendingAnnouncement"), Immutable]
public sealed record PendingAssignmentLine([property: Id(0)] string LineId, [property: Id(1)] string Note, [property: Id(2)] string? PreviousAgentId)
    : IOutboxMessage
{
    string IOutboxMessage.Id => LineId;
    string IOutboxMessage.Receiver => "self";
}
