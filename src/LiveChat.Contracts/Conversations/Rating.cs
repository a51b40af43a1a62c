namespace LiveChat.Contracts;

/// <summary>The visitor's rating of a conversation: a score from 1 to 5 and an optional comment.</summary>
[GenerateSerializer, Alias("Rating"), Immutable]
public sealed record Rating(
    [property: Id(0)] int Score,
    [property: Id(1)] string? Comment,
    [property: Id(2)] DateTimeOffset RatedAt);
