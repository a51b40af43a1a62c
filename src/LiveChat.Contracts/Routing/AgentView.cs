namespace LiveChat.Contracts;

/// <summary>An agent's status and load, and their average first response over the last 15 minutes.</summary>
[GenerateSerializer, Alias("AgentView"), Immutable]
public sealed record AgentView(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] AgentStatus Status,
    [property: Id(3)] int ActiveConversations,
    [property: Id(4)] int MaxConversations,
    [property: Id(5)] int? AverageFirstResponseSeconds = null)
{
    public bool HasFreeCapacity => Status == AgentStatus.Online && ActiveConversations < MaxConversations;
}
