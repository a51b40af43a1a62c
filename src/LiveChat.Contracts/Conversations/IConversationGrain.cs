using Orleans.Concurrency;

namespace LiveChat.Contracts;

/// <summary>
/// One conversation (key: conversation id), the only writer of it: numbers its messages, appends them to the
/// message log, routes it through its queue and enforces who may do what in it.
/// </summary>
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Creates the conversation and puts it in its queue (or straight to a free agent).</summary>
    Task<ConversationView> Start(ConversationStart start);

    Task<MessageAck> Send(Caller caller, string clientMessageId, string text);

    /// <summary>Messages with <c>seq &gt; afterSeq</c>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ChatMessage>> GetMessages(Caller caller, long afterSeq, int limit);

    Task SetTyping(Caller caller, bool isTyping);

    Task MarkRead(Caller caller, long seq);

    Task<ConversationView> Close(Caller caller);

    Task Rate(Caller caller, int score, string? comment);

    Task<ConversationView> Transfer(Caller caller, TransferRequest request);

    /// <summary>A whisper (supervisors) or an internal note (the agent or a supervisor): never visible to the visitor.</summary>
    Task<MessageAck> AddInternal(Caller caller, string kind, string clientMessageId, string text);

    /// <summary>Whispers and notes with <c>seq &gt; afterSeq</c> (their own numbering); agents and supervisors only.</summary>
    Task<IReadOnlyList<ChatMessage>> GetInternalMessages(Caller caller, long afterSeq, int limit);

    /// <summary>A supervisor starts watching: the live events go to the watchers' group from now on.</summary>
    Task<WatchedConversation> Watch(Caller caller, string connectionId);

    /// <summary>
    /// The visitor's presence changed (see <see cref="Contracts.VisitorPresence"/>): the agent and watchers see it; gone,
    /// a waiting chat leaves its queue as abandoned, and an assigned one is closed or released by its queue's setting.
    /// </summary>
    [OneWay]
    Task VisitorPresenceChanged(VisitorPresence presence);

    /// <summary>A watcher left (stopped watching or disconnected).</summary>
    [OneWay]
    Task WatcherLeft(string connectionId);

    /// <summary>A supervisor becomes the conversation's agent, whether it is waiting or with another agent.</summary>
    Task<ConversationView> TakeOver(Caller caller);

    /// <summary>A supervisor marks the visitor's rating as reviewed, or not.</summary>
    Task<FeedbackEntry> MarkFeedbackReviewed(Caller caller, bool reviewed);

    /// <summary>The view as the caller may see it; refuses a caller who is not part of the conversation.</summary>
    Task<ConversationView> GetView(Caller caller);

    /// <summary>The view for other grains. Interleaves: it only reads, and an agent grain may ask while this grain waits on it.</summary>
    [AlwaysInterleave]
    Task<ConversationView> Peek();

    /// <summary>
    /// For the history: the conversation as stored, with its state's version; null for one that does not exist. It does
    /// not interleave, so it never shows a change whose write has not ended (and may yet fail).
    /// </summary>
    Task<ConversationSnapshot?> Snapshot();

    /// <summary>
    /// The queue gave this conversation to an agent whose slot is already reserved; <paramref name="requeuedFromAgentId"/>
    /// is set when it came back from an agent who left. Not one-way: the queue sends it again until it arrives, and a
    /// repeat of <paramref name="noticeId"/> changes nothing.
    /// </summary>
    Task Assigned(AgentView agent, string? requeuedFromAgentId, string noticeId);

    /// <summary>
    /// The agent who held the conversation left, and it waits in <paramref name="queue"/> again. Sent again until it
    /// arrives; a repeat of <paramref name="noticeId"/> changes nothing.
    /// </summary>
    Task Returned(string queue, string fromAgentId, string noticeId);

    /// <summary>The queue reports the conversation waiting at <paramref name="position"/>. One-way: a lost report is overtaken by the next.</summary>
    [OneWay]
    Task Queued(int position, int? estimatedWaitSeconds);
}

[GenerateSerializer, Alias("ConversationStart"), Immutable]
public sealed record ConversationStart(
    [property: Id(0)] string VisitorId,
    [property: Id(1)] string VisitorName,
    [property: Id(2)] string Queue,
    [property: Id(3)] string? Topic,
    [property: Id(4)] string? Text,
    [property: Id(5)] bool VisitorVerified = false,
    [property: Id(6)] string? VisitorEmail = null,
    [property: Id(7)] string? Address = null);
