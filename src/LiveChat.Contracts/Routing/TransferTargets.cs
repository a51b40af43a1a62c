namespace LiveChat.Contracts;

/// <summary>Where an agent can hand a conversation: the queues, and the other agents with their status and load.</summary>
[GenerateSerializer, Alias("TransferTargets"), Immutable]
public sealed record TransferTargets(
    [property: Id(0)] IReadOnlyList<string> Queues,
    [property: Id(1)] IReadOnlyList<AgentView> Agents);
