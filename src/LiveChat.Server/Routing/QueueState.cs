using LiveChat.Server.Reliability;

namespace LiveChat.Server.Routing;

/// <summary>
/// A queue's grain state: its visitors' ratings. The line, notices and hand-backs live in the
/// <see cref="Storage.IQueueStore"/>; the fields that held them before are read once to move them there.
/// </summary>
[GenerateSerializer, Alias("QueueState")]
public sealed class QueueState
{
    [Id(0)] public List<QueueEntry> Waiting { get; set; } = [];
    [Id(1)] public long RatingSum { get; set; }
    [Id(2)] public int Ratings { get; set; }
    [Id(3)] public List<string> HandBacks { get; set; } = [];
    [Id(4)] public List<PendingNotice> Notices { get; set; } = [];
}

/// <summary>
/// A conversation's assignment to <see cref="Agent"/> (requeued from <see cref="RequeuedFrom"/>, if it came back from
/// an agent who left), or without an agent, its return to the queue from <see cref="RequeuedFrom"/>.
/// </summary>
[GenerateSerializer, Alias("PendingNotice"), Immutable]
public sealed record PendingNotice(
    [property: Id(0)] string Id,
    [property: Id(1)] string ConversationId,
    [property: Id(2)] AgentView? Agent,
    [property: Id(3)] string? RequeuedFrom) : IOutboxMessage
{
    string IOutboxMessage.Receiver => ConversationId;

    public static PendingNotice Assigned(string conversationId, AgentView agent, string? requeuedFrom) =>
        new($"as_{Guid.NewGuid():N}", conversationId, agent, requeuedFrom);

    public static PendingNotice Returned(string conversationId, string fromAgentId) =>
        new($"rt_{Guid.NewGuid():N}", conversationId, null, fromAgentId);
}
