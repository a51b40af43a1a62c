using Orleans.Concurrency;

namespace LiveChat.Contracts;

/// <summary>
/// A queue (key: queue name): waiting conversations in arrival order and the load of the agents serving it.
/// It gives the head of the queue to the least-loaded online agent with room, the moment room appears.
/// </summary>
public interface IQueueGrain : IGrainWithStringKey, IStandingGrain
{
    /// <summary>Puts a conversation in the queue (at the head for a transfer) and dispatches at once.</summary>
    Task<QueueTicket> Enqueue(QueueEntry entry, bool atHead);

    /// <summary>
    /// Returns once the queue has stored the change an answer of <see cref="Enqueue"/> reports (see
    /// <see cref="QueueTicket.StoredBy"/>); throws when that write failed, or the queue restarted before it: enqueue
    /// again. Interleaved with the queue's turns, which store their changes in batches while the callers wait here.
    /// </summary>
    [AlwaysInterleave]
    Task Stored(QueueWrite write);

    /// <summary>What the widget shows before a chat starts (announcements left empty: they are not the queue's).</summary>
    [AlwaysInterleave]
    Task<QueueAvailability> GetAvailability();

    /// <summary>
    /// Whether a new chat from this client address (<c>null</c>: unknown) may join: null when it may, else the refusal
    /// in words (the queue is full, or this address has too many chats waiting).
    /// </summary>
    [AlwaysInterleave]
    Task<string?> Admit(string? address);

    /// <summary>Takes a conversation out of the queue (closed while waiting); true when it was waiting.</summary>
    Task<bool> Remove(string conversationId);

    /// <summary>
    /// Takes a conversation out of the line, and only that: an old return put it back while it was transferred or
    /// given to another agent, whose answer the queue still waits for. True when it was waiting.
    /// </summary>
    Task<bool> TakeOutOfLine(string conversationId);

    /// <summary>Where a waiting conversation stands (position and estimate), or null when it is not waiting here.</summary>
    Task<QueueTicket?> GetPlace(string conversationId);

    Task<QueueStats> GetStats();

    /// <summary>The ids of the first <paramref name="limit"/> waiting conversations, next in line first.</summary>
    Task<IReadOnlyList<string>> GetWaitingIds(int limit);

    /// <summary>
    /// An agent left with these conversations open: they go back to the head of the queue, in order. Not one-way, so
    /// the agent knows it arrived, and the agent sends it again until it does; <paramref name="handBackId"/> makes a
    /// repeat of a hand-back the queue already took a no-op. The agent awaits it outside its own turn, since the queue
    /// calls agents as it dispatches.
    /// </summary>
    Task ReturnToQueue(string fromAgentId, string handBackId, IReadOnlyList<QueueEntry> entries);

    /// <summary>An agent's status or load changed.</summary>
    [OneWay]
    Task AgentChanged(AgentView agent);

    /// <summary>
    /// The agent answered the conversation for the first time since it was last assigned; <paramref name="firstResponseSeconds"/>
    /// is set when this was the conversation's very first answer, that many seconds after assignment.
    /// </summary>
    [OneWay]
    Task Responded(string conversationId, double? firstResponseSeconds);

    /// <summary>A waiting conversation was abandoned (its visitor left): counted on the dashboard.</summary>
    [OneWay]
    Task Abandoned();

    /// <summary>The conversation closed or moved to another queue: it no longer waits for a first response here.</summary>
    [OneWay]
    Task Left(string conversationId);

    /// <summary>A visitor rated a conversation of this queue; <paramref name="previousScore"/> is set when they changed their rating.</summary>
    [OneWay]
    Task Rated(int score, int? previousScore);
}

/// <summary>
/// A conversation joining a queue at <see cref="EnqueuedAt"/>. <see cref="FirstWaitedAt"/> is when its visitor first
/// waited (the conversation's start), which places a chat given back by its agent; absent in entries stored before it
/// existed, where <see cref="EnqueuedAt"/> stands in. <see cref="Address"/> is the visitor's client address (its /64
/// for IPv6) when they started it, for the cap on chats waiting from one address.
/// </summary>
[GenerateSerializer, Alias("QueueEntry"), Immutable]
public sealed record QueueEntry(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] DateTimeOffset EnqueuedAt,
    [property: Id(2)] DateTimeOffset? FirstWaitedAt = null,
    [property: Id(3)] string? Address = null)
{
    public DateTimeOffset FirstWaited => FirstWaitedAt ?? EnqueuedAt;
}

/// <summary>
/// The queue's answer to an enqueue: assigned to an agent at once, or waiting at a position. An assignment carries the
/// id of the notice the queue also sends (in case this answer is lost with the caller's node), so the caller can
/// recognise that notice as one it already took. Nothing in it holds until the write it names (<see cref="StoredBy"/>) is
/// stored: the caller awaits <see cref="IQueueGrain.Stored"/> first.
/// </summary>
[GenerateSerializer, Alias("QueueTicket"), Immutable]
public sealed record QueueTicket(
    [property: Id(0)] AgentView? AssignedTo,
    [property: Id(1)] int Position,
    [property: Id(2)] int? EstimatedWaitSeconds,
    [property: Id(3)] string? NoticeId = null,
    [property: Id(4)] QueueWrite? StoredBy = null);

/// <summary>A write of a queue: the batch of one activation (<see cref="Epoch"/>) that stores a turn's change.</summary>
[GenerateSerializer, Alias("QueueWrite"), Immutable]
public sealed record QueueWrite([property: Id(0)] Guid Epoch, [property: Id(1)] long Batch);
