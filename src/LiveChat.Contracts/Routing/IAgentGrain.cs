namespace LiveChat.Contracts;

/// <summary>
/// An agent or supervisor (key: username): status, capacity, active conversations and connection presence.
/// It is the one authority on the agent's load, so no two queues can both take the last slot.
/// </summary>
public interface IAgentGrain : IGrainWithStringKey
{
    Task<AgentView> Connect(string connectionId);

    Task Disconnect(string connectionId);

    /// <summary>The agent's node still holds these connections (sent every few seconds; a connection not renewed lapses).</summary>
    Task Renew(IReadOnlyList<string> connectionIds);

    Task<AgentView> SetStatus(AgentStatus status);

    Task<AgentView> GetView();

    /// <summary>Ids of the agent's active conversations.</summary>
    Task<IReadOnlyList<string>> GetConversationIds();

    /// <summary>The agent's view, with the ids of their active conversations that came from <paramref name="queue"/>: what a queue asks.</summary>
    Task<AgentReport> ReportTo(string queue);

    /// <summary>The agent's active conversations.</summary>
    Task<IReadOnlyList<ConversationView>> GetConversations();

    /// <summary>
    /// Takes a slot for a conversation if the agent is online and has room; idempotent. <paramref name="firstWaitedAt"/>
    /// is when its visitor first waited, which places the chat in its queue if the agent gives it back.
    /// </summary>
    Task<Reservation> TryReserve(string conversationId, string queue, DateTimeOffset firstWaitedAt);

    /// <summary>
    /// A chat the agent holds stops counting against their limit while its visitor is gone (<paramref name="idle"/>),
    /// or counts again once they are back; nothing when the agent does not hold it.
    /// </summary>
    Task SetIdle(string conversationId, bool idle);

    /// <summary>Takes a slot whatever the status and limit: a supervisor taking over a conversation.</summary>
    Task<AgentView> Claim(string conversationId, string queue, DateTimeOffset firstWaitedAt);

    /// <summary>A supervisor's limit for this agent, or null for the configured one. Chats beyond a lowered limit stay; no new ones come.</summary>
    Task<AgentView> SetMaxConversations(int? maxConversations);

    /// <summary>The agent answered a conversation for the first time, <paramref name="seconds"/> after it was assigned.</summary>
    [Orleans.Concurrency.OneWay]
    Task FirstResponded(double seconds);

    /// <summary>Frees the conversation's slot (closed, transferred); a no-op when the agent does not hold it.</summary>
    Task Release(string conversationId);
}

[GenerateSerializer, Alias("AgentReport"), Immutable]
public sealed record AgentReport(
    [property: Id(0)] AgentView View,
    [property: Id(1)] IReadOnlyList<string> Held);

[GenerateSerializer, Alias("Reservation"), Immutable]
public sealed record Reservation(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] AgentView Agent,
    [property: Id(2)] string? Reason);
