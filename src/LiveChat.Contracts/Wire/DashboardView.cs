namespace LiveChat.Contracts;

/// <summary>A supervisor's snapshot of the floor.</summary>
[GenerateSerializer, Alias("DashboardView"), Immutable]
public sealed record DashboardView(
    [property: Id(0)] IReadOnlyList<QueueStats> Queues,
    [property: Id(1)] IReadOnlyList<AgentView> Agents,
    [property: Id(2)] int ActiveConversations,
    [property: Id(3)] DateTimeOffset At);

/// <summary>One queue's numbers, kept by the queue grain itself.</summary>
[GenerateSerializer, Alias("QueueStats"), Immutable]
public sealed record QueueStats(
    [property: Id(0)] string Name,
    [property: Id(1)] int Waiting,
    [property: Id(2)] int LongestWaitSeconds,
    [property: Id(3)] int AgentsOnline,
    [property: Id(4)] int FreeCapacity);
