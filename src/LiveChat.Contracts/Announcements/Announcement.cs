namespace LiveChat.Contracts;

/// <summary>A message from supervisors to every visitor, shown as a banner until it expires or is withdrawn; <see cref="PublishedBy"/> is the supervisor's id.</summary>
[GenerateSerializer, Alias("Announcement"), Immutable]
public sealed record Announcement(
    [property: Id(0)] string Id,
    [property: Id(1)] string Text,
    [property: Id(2)] string Severity,
    [property: Id(3)] DateTimeOffset PublishedAt,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] string PublishedBy);

/// <summary>Argument of <c>PublishAnnouncement</c>; <see cref="ExpiresInMinutes"/> defaults to 60.</summary>
[GenerateSerializer, Alias("AnnouncementRequest"), Immutable]
public sealed record AnnouncementRequest(
    [property: Id(0)] string Text,
    [property: Id(1)] string? Severity = null,
    [property: Id(2)] int? ExpiresInMinutes = null);

public static class AnnouncementSeverities
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Critical = "critical";

    public static readonly IReadOnlyList<string> All = [Info, Warning, Critical];
}
