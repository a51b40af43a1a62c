namespace LiveChat.Contracts;

/// <summary>A supervisor's snapshot of the floor, built from the queue and agent grains' own numbers.</summary>
[GenerateSerializer, Alias("DashboardView"), Immutable]
public sealed record DashboardView(
    [property: Id(0)] IReadOnlyList<QueueStats> Queues,
    [property: Id(1)] IReadOnlyList<AgentView> Agents,
    [property: Id(2)] int ActiveConversations,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] double? CsatAverage,
    [property: Id(5)] int Ratings,
    [property: Id(6)] int SlaBreaches,
    [property: Id(7)] SlaView Sla);

/// <summary>
/// One queue's numbers, kept by the queue grain itself. Averages cover the last 15 minutes and are null when nothing
/// happened in them; a breach is a visitor waiting longer than the wait SLA, or an assigned conversation whose agent
/// has not answered within the first-response SLA.
/// </summary>
[GenerateSerializer, Alias("QueueStats"), Immutable]
public sealed record QueueStats(
    [property: Id(0)] string Name,
    [property: Id(1)] int Waiting,
    [property: Id(2)] int LongestWaitSeconds,
    [property: Id(3)] int AgentsOnline,
    [property: Id(4)] int FreeCapacity,
    [property: Id(5)] int AgentsAway = 0,
    [property: Id(6)] int? AverageWaitSeconds = null,
    [property: Id(7)] int? AverageFirstResponseSeconds = null,
    [property: Id(8)] int WaitingPastSla = 0,
    [property: Id(9)] int AwaitingFirstResponse = 0,
    [property: Id(10)] int FirstResponsePastSla = 0,
    [property: Id(11)] double? CsatAverage = null,
    [property: Id(12)] int Ratings = 0,
    [property: Id(13)] int Abandoned = 0)
{
    public int SlaBreaches => WaitingPastSla + FirstResponsePastSla;
}

/// <summary>The service levels breaches are counted against, in seconds.</summary>
[GenerateSerializer, Alias("SlaView"), Immutable]
public sealed record SlaView(
    [property: Id(0)] int WaitSeconds,
    [property: Id(1)] int FirstResponseSeconds);
