namespace LiveChat.Contracts;

/// <summary>An agent's status and load.</summary>
[GenerateSerializer, Alias("AgentView"), Immutable]
public sealed record AgentView(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] AgentStatus Status,
    [property: Id(3)] int ActiveConversations,
    [property: Id(4)] int MaxConversations)
{
    public bool HasFreeCapacity => Status == AgentStatus.Online && ActiveConversations < MaxConversations;
}
