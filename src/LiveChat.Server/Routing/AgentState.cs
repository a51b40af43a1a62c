using LiveChat.Server.Reliability;

namespace LiveChat.Server.Routing;

[GenerateSerializer, Alias("AgentState")]
public sealed class AgentState
{
    [Id(0)] public AgentStatus Status { get; set; }
    [Id(1)] public int? MaxConversationsOverride { get; set; }
    [Id(2)] public List<ActiveChat> Active { get; set; } = [];
    /// <summary>Chats given back to a queue that has not yet said it has them.</summary>
    [Id(3)] public List<PendingHandBack> HandBacks { get; set; } = [];
}

[GenerateSerializer, Alias("PendingHandBack"), Immutable]
public sealed record PendingHandBack([property: Id(0)] string Id, [property: Id(1)] string Queue, [property: Id(2)] IReadOnlyList<QueueEntry> Entries)
    : IOutboxMessage
{
    string IOutboxMessage.Receiver => Queue;
}

/// <summary>
/// A chat the agent holds, from <see cref="Queue"/>; <see cref="FirstWaitedAt"/> (absent in chats stored before it
/// existed) places it in its queue if it is given back. An <see cref="Idle"/> chat's visitor is gone: it does not count
/// against the agent's limit.
/// </summary>
[GenerateSerializer, Alias("ActiveChat"), Immutable]
public sealed record ActiveChat(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Queue,
    [property: Id(2)] DateTimeOffset? FirstWaitedAt = null,
    [property: Id(3)] bool Idle = false);
