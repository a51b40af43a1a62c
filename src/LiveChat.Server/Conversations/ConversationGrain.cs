using LiveChat.Server.History;
using LiveChat.Server.Metrics;
using LiveChat.Server.Notifications;
using LiveChat.Server.Options;
using LiveChat.Server.Reliability;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Conversations;

/// <summary>
/// The only writer of a conversation. Messages are numbered here, appended to the log, and only then acknowledged
/// and pushed. The message history lives in the log; state holds metadata only, so a send costs the same at
/// message 10 as at message 10,000, and the last seq is recovered from the log on activation.
/// Whispers and notes go to a second stream of the log with its own numbering; they are pushed to the agent and to
/// watching supervisors only, so no path leads from them to the visitor.
/// </summary>
public sealed partial class ConversationGrain(
    [PersistentState(StorageNames.ConversationState, StorageNames.Grains)] IPersistentState<ConversationState> state,
    IMessageLog log,
    IHistoryFeed history,
    IFeedbackStore feedback,
    INotifier notifier,
    IOptions<LiveChatOptions> options,
    LiveChatMetrics metrics,
    TimeProvider time,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain, IOutboxOwner
{
    // A client resends only what was unacknowledged when its connection dropped, so the last few sends cover the common
    // retry; 256 held about 50 KB per busy conversation for nothing, and older retries are found in the log anyway.
    private readonly RecentAcks _recent = new(16);

    private long _lastSeq;
    private long? _lastInternalSeq;
    private int? _queuePosition;
    private int? _estimatedWaitSeconds;
    private Outbox<PendingAssignmentLine> _assignmentLine = null!;

    // Read once: the grain id decodes its key into a new string on every call, one more string for every message (issue 18).
    private string? _id;

    private string Id => _id ??= this.GetPrimaryKeyString();

    // The name of the whispers' and notes' stream, made once: the log keeps what it derives from a name for as long as
    // that very string lives (RedisMessageLog's keys).
    private string? _internalStream;

    private string InternalStream => _internalStream ??= LogStreams.Internal(Id);
    private ConversationState S => state.State;
    private bool Exists => S.VisitorId.Length > 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _assignmentLine = Outbox<PendingAssignmentLine>.For(this, () => S.UnshownAssignment is { } line ? [line] : [], _ => Task.CompletedTask, time, logger);
        // A crash between an append and a state write leaves the log ahead of state: the log wins.
        if (!Exists)
            return;
        _lastSeq = Math.Max(S.LastSeq, await log.GetLastSeqAsync(LogStreams.Public(Id)));
        // The place in the queue is the queue's number; a fresh activation asks for it rather than showing none. Waiting
        // nowhere (the last activation's enqueue failed), it joins its queue again.
        if (S.Status == ConversationStatus.Queued)
        {
            if (await Queue(S.Queue).GetPlace(Id) is { } place)
                (_queuePosition, _estimatedWaitSeconds) = (place.Position, place.EstimatedWaitSeconds);
            else
                RejoinQueueSoon(new QueueEntry(Id, S.CreatedAt, S.CreatedAt), atHead: false);
        }
        // An assigned chat is watched for silence from now, as if someone had just written.
        WatchSilence();
        // Whether the visitor is still there is their grain's to know, which may have lost its connections with its node.
        if (S.Status != ConversationStatus.Closed)
            GrainFactory.GetGrain<IVisitorGrain>(S.VisitorId).Watch().Ignore();
        // The last activation recorded an assignment and was cut short before showing it: the outbox shows it, in a turn
        // of its own, as soon as this activation is up (a write failed here would undo the activation itself).
        _assignmentLine.Send();
    }

    public async Task<ConversationView> Start(ConversationStart start)
    {
        if (Exists)
        {
            // A retried start (the first one's answer was lost): what the first may not have finished is done now, once.
            if (S.Status == ConversationStatus.Queued)
                await JoinQueue(start.Text, start.Address);
            return View();
        }
        var now = time.GetUtcNow();
        S.Queue = start.Queue;
        S.Topic = start.Topic;
        S.VisitorId = start.VisitorId;
        S.VisitorName = start.VisitorName;
        S.VisitorVerified = start.VisitorVerified;
        S.VisitorEmail = start.VisitorEmail;
        S.Status = ConversationStatus.Queued;
        S.CreatedAt = now;
        await WriteState();

        await JoinQueue(start.Text, start.Address);
        return View();
    }

    /// <summary>
    /// The first message, then the queue: the message goes in first, so whoever takes the chat sees it at once. Both are
    /// safe to repeat: the log knows the first message by its id, and the queue a conversation that waits already.
    /// </summary>
    private async Task JoinQueue(string? text, string? address)
    {
        if (!string.IsNullOrWhiteSpace(text))
            await Append(Roles.Visitor, S.VisitorId, S.VisitorName, text, $"start-{Id}");
        await EnterQueue(new QueueEntry(Id, S.CreatedAt, S.CreatedAt, address), atHead: false);
    }

    public async Task<MessageAck> Send(Caller caller, string clientMessageId, string text)
    {
        EnsureParticipant(caller, acting: true);
        if (_recent.TryGet(caller.Id, clientMessageId, out var ack))
            return ack;
        if (S.Status == ConversationStatus.Closed)
        {
            // A retry of a send that made it before the close still gets its ack.
            var earlier = await log.FindAsync(LogStreams.Public(Id), caller.Id, clientMessageId);
            return earlier is not null ? RetryAck(earlier) : throw new ChatRuleException("conversation is closed");
        }

        var name = caller.IsVisitor ? S.VisitorName : caller.Name;
        var (message, duplicate) = await Append(caller.Role, caller.Id, name, text, clientMessageId);
        // A first answer found already stored was sent in this assignment, its answer lost before it was counted: counted
        // now (a no-op when it was). One from before the assignment (an old resend) answers nobody now.
        if (!caller.IsVisitor && (!duplicate || message.SentAt >= S.AssignedAt))
            await RecordResponse(message.SentAt);
        return new MessageAck(Id, message.Seq, message.SentAt, duplicate);
    }

    public Task<IReadOnlyList<ChatMessage>> GetMessages(Caller caller, long afterSeq, int limit)
    {
        EnsureParticipant(caller, acting: false);
        return log.ReadAsync(LogStreams.Public(Id), afterSeq, limit);
    }

    public async Task SetTyping(Caller caller, bool isTyping)
    {
        EnsureParticipant(caller, acting: true);
        if (S.Status == ConversationStatus.Closed)
            return;
        var typing = new TypingIndicator(Id, caller.Role, caller.IsVisitor ? S.VisitorName : caller.Name, isTyping);
        if (caller.IsVisitor)
            await Push(agent: c => c.TypingChanged(typing), watchers: c => c.TypingChanged(typing));
        else
            await Push(visitor: c => c.TypingChanged(typing), watchers: c => c.TypingChanged(typing));
    }

    public async Task MarkRead(Caller caller, long seq)
    {
        EnsureParticipant(caller, acting: true);
        if (seq > _lastSeq)
            throw new ChatRuleException($"cannot mark message {seq} read: the last message is {_lastSeq}");
        if (seq <= (caller.IsVisitor ? S.VisitorReadSeq : S.AgentReadSeq))
            return;
        if (caller.IsVisitor)
            S.VisitorReadSeq = seq;
        else
            S.AgentReadSeq = seq;
        await WriteState(forHistory: false);
        var receipt = new ReadReceipt(Id, caller.Role, seq);
        if (caller.IsVisitor)
            await Push(agent: c => c.ReadReceipt(receipt));
        else
            await Push(visitor: c => c.ReadReceipt(receipt));
    }

    public async Task<ConversationView> Close(Caller caller)
    {
        EnsureParticipant(caller, acting: true);
        if (S.Status == ConversationStatus.Closed)
        {
            // Most likely a retry of a close whose answer was lost: what it had left to do is done now, once.
            await ShowClosed();
            return View();
        }

        await CloseAs(caller.Role, $"{(caller.IsVisitor ? S.VisitorName : caller.Name)} closed the conversation.");
        await ShowClosed();
        return View();
    }

    /// <summary>
    /// Closes and stores it: the queue place or the agent's slot freed first, then who closed it, the line that will
    /// say so, and why when nobody did (<paramref name="reason"/>). The caller shows it (<see cref="ShowClosed"/>).
    /// </summary>
    private async Task CloseAs(string closedBy, string note, string? reason = null)
    {
        _silence?.Dispose();
        _silence = null;
        await FreePlaceOrSlot();
        S.Status = ConversationStatus.Closed;
        S.ClosedAt = time.GetUtcNow();
        S.ClosedBy = closedBy;
        S.ClosedReason = reason;
        S.ClosedNote = note;
        _queuePosition = null;
        await WriteState();
    }

    /// <summary>
    /// Before a close: the queue place or the agent's slot is freed first, so the next visitor does not wait on the
    /// bookkeeping, and the queue stops waiting for an answer it will not get.
    /// </summary>
    private async Task FreePlaceOrSlot()
    {
        if (S.Status == ConversationStatus.Queued)
            await Queue(S.Queue).Remove(Id);
        else if (S.AgentId is { } agentId)
            await Agent(agentId).Release(Id);
        if (S.Status == ConversationStatus.Active && !S.AnsweredSinceAssignment)
            await Queue(S.Queue).Left(Id);
    }

    /// <summary>
    /// The closed line in the chat and the closed view pushed to everyone. The line has an id of its own, so a retry
    /// (or a second close) writes it once; conversations closed before the line was stored with the close show none again.
    /// </summary>
    private async Task ShowClosed()
    {
        if (S.ClosedNote is { } note)
            await Append(Roles.System, Roles.System, "LiveChat", note, $"system-closed-{Id}");
        await PushUpdated(View());
    }

    public Task<ConversationView> GetView(Caller caller)
    {
        EnsureParticipant(caller, acting: false);
        return Task.FromResult(View());
    }

    public Task<ConversationView> Peek() =>
        Exists ? Task.FromResult(View()) : throw Unknown();

    private Task AppendSystem(string text) =>
        Append(Roles.System, Roles.System, "LiveChat", text, $"system-{Guid.NewGuid():N}");

    private async Task<(ChatMessage Message, bool Duplicate)> Append(string role, string senderId, string senderName, string text, string clientMessageId)
    {
        var message = new ChatMessage(Id, _lastSeq + 1, role, senderId, senderName, text, time.GetUtcNow(), clientMessageId);
        // The write discipline (WriteDiscipline.WriteOrDeactivate) written out: on the path of every message, a delegate
        // and a task less each time (issue 18).
        ChatMessage? earlier;
        try
        {
            earlier = await log.AppendAsync(LogStreams.Public(Id), message);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
        if (earlier is not null)
        {
            // Already stored, by a send whose answer was lost: the log is ahead of what this activation knew. That send
            // may have ended before anyone was shown the message, and nobody would be until the next one showed a gap in
            // seq: shown now, maybe a second time, which clients ignore by seq. (A resend this activation answered
            // itself is found in the recent acks and shows nothing again.)
            _lastSeq = Math.Max(_lastSeq, earlier.Seq);
            _recent.Add(senderId, clientMessageId, RetryAck(earlier));
            await PushToAll(c => c.MessageReceived(earlier));
            return (earlier, true);
        }
        _lastSeq = message.Seq;
        _recent.Add(senderId, clientMessageId, RetryAck(message));
        metrics.MessageSent(role, MessageKinds.Message);
        if (role != Roles.System)
            await Wrote();
        await PushToAll(c => c.MessageReceived(message));
        return (message, false);
    }

    /// <summary>
    /// The agent's first message since the conversation was (re)assigned: the queue stops counting it as waiting for an
    /// answer. The very first one is the conversation's first response, stored here and counted by the queue and agent.
    /// </summary>
    private async Task RecordResponse(DateTimeOffset at)
    {
        if (S.Status != ConversationStatus.Active || S.AnsweredSinceAssignment || S.AssignedAt is not { } assignedAt || S.AgentId is not { } agentId)
            return;
        S.AnsweredSinceAssignment = true;
        var first = S.FirstResponseAt is null;
        if (first)
        {
            S.FirstResponseAt = at;
            S.FirstResponseSeconds = Math.Round(Math.Max(0, (at - assignedAt).TotalSeconds), 3);
        }
        await WriteState();
        await Queue(S.Queue).Responded(Id, first ? S.FirstResponseSeconds : null);
        if (!first)
            return;
        await Agent(agentId).FirstResponded(S.FirstResponseSeconds!.Value);
        var view = View();
        await Push(agent: c => c.ConversationUpdated(view), watchers: c => c.ConversationUpdated(view));
    }

    /// <summary>What a retry of the send that stored <paramref name="message"/> is answered with.</summary>
    private MessageAck RetryAck(ChatMessage message) => new(Id, message.Seq, message.SentAt, Duplicate: true);

    /// <summary>Whispers and notes: the conversation's agent, or any supervisor; never the visitor.</summary>
    private void EnsureStaff(Caller caller)
    {
        if (caller.IsVisitor)
            throw new ChatRuleException("not your conversation");
        EnsureParticipant(caller, acting: false);
    }

    private void EnsureExists()
    {
        if (!Exists)
            throw Unknown();
    }

    /// <summary>A call for a conversation that does not exist: refused, and the activation it made goes at once, so ids made up by the thousand leave nothing behind.</summary>
    private ChatRuleException Unknown()
    {
        DeactivateOnIdle();
        return new ChatRuleException($"unknown conversation: {Id}");
    }

    private void EnsureParticipant(Caller caller, bool acting)
    {
        EnsureExists();
        var allowed = caller.Role switch
        {
            Roles.Visitor => caller.Id == S.VisitorId,
            Roles.Agent => caller.Id == S.AgentId,
            // Supervisors may read any conversation; acting in one needs it to be theirs.
            Roles.Supervisor => !acting || caller.Id == S.AgentId,
            _ => false,
        };
        if (!allowed)
            throw new ChatRuleException("not your conversation");
    }

    /// <summary>
    /// Writes the state under the write discipline, with a higher version. Unless <paramref name="forHistory"/> is false
    /// (a change the history does not keep), the history is told first: marked before the write, it reads the grain after
    /// the write's turn, so it sees the change once stored; a write that then fails costs it one look for nothing. A mark
    /// that fails is a failed write too: the change is already in memory, not stored.
    /// </summary>
    private async Task WriteState(bool forHistory = true)
    {
        if (forHistory)
            await this.WriteOrDeactivate(() => history.MarkAsync(Id));
        S.LastSeq = _lastSeq;
        S.Version++;
        await state.Save(this);
    }

    public Task<ConversationSnapshot?> Snapshot()
    {
        if (Exists)
            return Task.FromResult<ConversationSnapshot?>(new(View(), S.Version));
        DeactivateOnIdle();
        return Task.FromResult<ConversationSnapshot?>(null);
    }

    private ConversationView View() => new(
        Id, S.Queue, S.Status, S.VisitorId, S.VisitorName, S.AgentId, S.AgentName,
        S.Status == ConversationStatus.Queued ? _queuePosition : null,
        S.Status == ConversationStatus.Queued ? _estimatedWaitSeconds : null,
        S.CreatedAt, S.AssignedAt, S.ClosedAt, _lastSeq, S.Topic, S.Rating, S.FirstResponseSeconds, S.VisitorVerified, S.VisitorEmail,
        S.Status == ConversationStatus.Closed ? null : _visitorPresence, S.ClosedReason);

    private Task PushUpdated(ConversationView view) => PushToAll(c => c.ConversationUpdated(view));

    /// <summary>The same event to the visitor, the agent and watching supervisors.</summary>
    private Task PushToAll(Func<IConversationClient, Task> send) => Push(send, send, send);

    /// <summary>
    /// Pushes to the visitor, the current agent and watching supervisors. A failed push is logged, not thrown: the
    /// message is already stored and clients fetch what they missed by seq after any reconnect.
    /// </summary>
    private async Task Push(Func<IVisitorClient, Task>? visitor = null, Func<IAgentClient, Task>? agent = null, Func<ISupervisorClient, Task>? watchers = null)
    {
        try
        {
            if (visitor is not null)
                await visitor(notifier.Visitor(S.VisitorId));
            if (agent is not null && S.AgentId is { } agentId)
                await agent(notifier.Agent(agentId));
            if (watchers is not null && S.Watchers.Count > 0)
                await watchers(notifier.Watchers(Id));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Push for conversation {ConversationId} failed; clients will catch up by seq", Id);
        }
    }

    private async Task PushToAgent(string agentId, Func<IAgentClient, Task> send)
    {
        try
        {
            await send(notifier.Agent(agentId));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Push to agent {AgentId} failed", agentId);
        }
    }

    private IQueueGrain Queue(string name) => GrainFactory.GetGrain<IQueueGrain>(name);

    private IAgentGrain Agent(string agentId) => GrainFactory.GetGrain<IAgentGrain>(agentId.ToLowerInvariant());
}
