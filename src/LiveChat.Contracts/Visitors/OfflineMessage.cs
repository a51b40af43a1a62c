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
