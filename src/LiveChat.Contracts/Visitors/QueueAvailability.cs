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
