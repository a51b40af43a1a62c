namespace LiveChat.Contracts;

/// <summary>One queue's numbers at one moment: a point of the dashboard's 30-minute chart.</summary>
[GenerateSerializer, Alias("QueueSample"), Immutable]
public sealed record QueueSample(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Queue,
    [property: Id(2)] int Waiting,
    [property: Id(3)] int LongestWaitSeconds,
    [property: Id(4)] int? AverageWaitSeconds);
