namespace LiveChat.Contracts;

/// <summary>
/// A queue's state as the widget sees it before a chat starts: whether anyone can answer, how long it takes, and the
/// active announcements (a visitor sees an outage notice before opening a chat).
/// </summary>
[GenerateSerializer, Alias("QueueAvailability"), Immutable]
public sealed record QueueAvailability(
    [property: Id(0)] string Queue,
    [property: Id(1)] bool Online,
    [property: Id(2)] int AgentsOnline,
    [property: Id(3)] int Waiting,
    [property: Id(4)] int? AverageWaitSeconds,
    [property: Id(5)] IReadOnlyList<Announcement> Announcements);

/// <summary>A message a visitor left while no agent was online, for the team to answer by email.</summary>
[GenerateSerializer, Alias("OfflineMessage"), Immutable]
public sealed record OfflineMessage(
    [property: Id(0)] string Id,
    [property: Id(1)] string Queue,
    [property: Id(2)] string Name,
    [property: Id(3)] string Email,
    [property: Id(4)] string Text,
    [property: Id(5)] DateTimeOffset ReceivedAt,
    [property: Id(6)] string? HandledBy = null,
    [property: Id(7)] DateTimeOffset? HandledAt = null)
{
    public bool Handled => HandledAt is not null;
}

/// <summary>One queue's numbers at one moment: a point of the dashboard's 30-minute chart.</summary>
[GenerateSerializer, Alias("QueueSample"), Immutable]
public sealed record QueueSample(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Queue,
    [property: Id(2)] int Waiting,
    [property: Id(3)] int LongestWaitSeconds,
    [property: Id(4)] int? AverageWaitSeconds);

/// <summary>Where an agent can hand a conversation: the queues, and the other agents with their status and load.</summary>
[GenerateSerializer, Alias("TransferTargets"), Immutable]
public sealed record TransferTargets(
    [property: Id(0)] IReadOnlyList<string> Queues,
    [property: Id(1)] IReadOnlyList<AgentView> Agents);
