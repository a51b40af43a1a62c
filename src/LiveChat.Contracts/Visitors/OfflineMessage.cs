namespace LiveChat.Contracts;

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

/// <summary>
/// How full a queue's offline inbox is: <see cref="Unhandled"/> of <see cref="Kept"/> kept (at most <see cref="Capacity"/>),
/// and the messages refused because every one kept was unhandled, since <see cref="RefusedSince"/> (this node's inbox
/// activation; null when none was refused).
/// </summary>
[GenerateSerializer, Alias("OfflineInboxStatus"), Immutable]
public sealed record OfflineInboxStatus(
    [property: Id(0)] string Queue,
    [property: Id(1)] int Kept,
    [property: Id(2)] int Unhandled,
    [property: Id(3)] int Capacity,
    [property: Id(4)] int Refused,
    [property: Id(5)] DateTimeOffset? RefusedSince);
