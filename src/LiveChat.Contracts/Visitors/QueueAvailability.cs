namespace LiveChat.Contracts;

/// <summary>
/// A queue's state as the widget sees it before a chat starts: whether anyone can answer, how long it takes, and the
/// active announcements (a visitor sees an outage notice before opening a chat). <see cref="Accepting"/> is false when
/// the widget should offer the offline form instead of a chat, for <see cref="Reason"/> (see <see cref="AvailabilityReasons"/>);
/// a <see cref="AvailabilityReasons.LongWait"/> still accepts, but the widget offers the form beside the chat.
/// </summary>
[GenerateSerializer, Alias("QueueAvailability"), Immutable]
public sealed record QueueAvailability(
    [property: Id(0)] string Queue,
    [property: Id(1)] bool Online,
    [property: Id(2)] int AgentsOnline,
    [property: Id(3)] int Waiting,
    [property: Id(4)] int? AverageWaitSeconds,
    [property: Id(5)] IReadOnlyList<Announcement> Announcements,
    [property: Id(6)] bool Accepting = true,
    [property: Id(7)] string? Reason = null,
    [property: Id(8)] int? EstimatedWaitSeconds = null);

/// <summary>Why a queue offers the offline form: <see cref="QueueAvailability.Reason"/>.</summary>
public static class AvailabilityReasons
{
    /// <summary>No agent serving the queue is Online.</summary>
    public const string NobodyOnline = "nobody-online";

    /// <summary>As many chats wait as the queue takes (<c>LiveChat:QueueSettings:&lt;queue&gt;:MaxWaiting</c>).</summary>
    public const string Full = "full";

    /// <summary>A new chat would wait longer than the queue's threshold (<c>LongWaitMinutes</c>): offered, not refused.</summary>
    public const string LongWait = "long-wait";
}
