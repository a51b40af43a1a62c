using LiveChat.Server.Routing;

namespace LiveChat.Server.Storage;

/// <summary>
/// Where a queue keeps what grows with its load: its waiting line, its notices to conversations not yet delivered, and
/// the hand-backs it took. Written by change (<see cref="QueueChange"/>), each change applied whole or not at all, so an
/// arrival costs the same with 10 or 10,000 waiting. Only the queue's grain writes its queue.
/// </summary>
public interface IQueueStore
{
    /// <summary>The queue as stored: the line with each conversation's order, and the notices oldest first.</summary>
    Task<StoredQueue> LoadAsync(string queue);

    /// <summary>True when the queue took the hand-back of this id (kept for <see cref="HandBacksKeptFor"/>).</summary>
    Task<bool> TookHandBackAsync(string queue, string handBackId);

    /// <summary>Applies the changes in order, all or none (the caller then cannot tell which, as with any write).</summary>
    Task ApplyAsync(string queue, IReadOnlyList<QueueChange> changes);

    /// <summary>
    /// How long a hand-back is remembered: an agent sends one again until the queue answers, which takes seconds, or
    /// while Redis is away, minutes; a day is far beyond either.
    /// </summary>
    static readonly TimeSpan HandBacksKeptFor = TimeSpan.FromDays(1);
}

public sealed record StoredQueue(IReadOnlyList<(QueueEntry Entry, long Order)> Line, IReadOnlyList<PendingNotice> Notices);

/// <summary>One turn's changes to a queue: its line's, notices sent and delivered, and a hand-back taken.</summary>
public sealed record QueueChange(LineChanges Line, IReadOnlyList<PendingNotice> NoticesAdded, IReadOnlyList<string> NoticesStruck, string? HandBackId)
{
    public bool IsEmpty => Line.IsEmpty && NoticesAdded.Count == 0 && NoticesStruck.Count == 0 && HandBackId is null;
}
