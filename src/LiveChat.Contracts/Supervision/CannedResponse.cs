namespace LiveChat.Contracts;

/// <summary>A reply agents of a queue can insert by its shortcut; supervisors manage them.</summary>
[GenerateSerializer, Alias("CannedResponse"), Immutable]
public sealed record CannedResponse(
    [property: Id(0)] string Id,
    [property: Id(1)] string Queue,
    [property: Id(2)] string Shortcut,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] string UpdatedBy);

/// <summary>Argument of <c>SaveCannedResponse</c>: a new response when <see cref="Id"/> is null, else a change to that one.</summary>
[GenerateSerializer, Alias("CannedResponseRequest"), Immutable]
public sealed record CannedResponseRequest(
    [property: Id(0)] string? Id,
    [property: Id(1)] string Shortcut,
    [property: Id(2)] string Text);
