using LiveChat.Server.Metrics;
using LiveChat.Server.Notifications;
using LiveChat.Server.Options;
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
public sealed class ConversationGrain(
    [PersistentState(StorageNames.ConversationState, StorageNames.Grains)] IPersistentState<ConversationState> state,
    IMessageLog log,
    IFeedbackStore feedback,
    INotifier notifier,
    IOptions<LiveChatOptions> options,
    LiveChatMetrics metrics,
    TimeProvider time,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    // Most watchers kept: a supervisor's node dying leaves its connection ids behind, which only cost a push to an empty group.
    private const int MaxWatchers = 50;
    private const int WatchHistory = 200;

    // A client resends only what was unacknowledged when its connection dropped, so the last few sends cover the common
    // retry; 256 held about 50 KB per busy conversation for nothing, and older retries are found in the log anyway.
    private readonly RecentAcks _recent = new(16);
    private long _lastSeq;
    private long? _lastInternalSeq;
    private int? _queuePosition;
    private int? _estimatedWaitSeconds;

    private string Id => this.GetPrimaryKeyString();
    private ConversationState S => state.State;
    private bool Exists => S.VisitorId.Length > 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A crash between an append and a state write leaves the log ahead of state: the log wins.
        if (!Exists)
            return;
        _lastSeq = Math.Max(S.LastSeq, await log.GetLastSeqAsync(LogStreams.Public(Id)));
        // The place in the queue is the queue's number; a fresh activation asks for it rather than showing none.
        if (S.Status == ConversationStatus.Queued && await Queue(S.Queue).GetPlace(Id) is { } place)
            (_queuePosition, _estimatedWaitSeconds) = (place.Position, place.EstimatedWaitSeconds);
        // The last activation recorded an assignment and was cut short before telling anyone.
        try
        {
            await Announce();
        }
        catch (Exception ex)
        {
            logger.LogWarning("Conversation {ConversationId}: announcing its assignment failed, done again when its notice comes: {Error}", Id, ex.Message);
        }
    }

    public async Task<ConversationView> Start(ConversationStart start)
    {
        if (Exists)
            return View();
        var now = time.GetUtcNow();
        S.Queue = start.Queue;
        S.Topic = start.Topic;
        S.VisitorId = start.VisitorId;
        S.VisitorName = start.VisitorName;
        S.VisitorVerified = start.VisitorVerified;
        S.Status = ConversationStatus.Queued;
        S.CreatedAt = now;
        await state.WriteStateAsync();

        // The first message goes in before the conversation is queued, so whoever takes it sees it at once.
        if (!string.IsNullOrWhiteSpace(start.Text))
            await Append(Roles.Visitor, S.VisitorId, S.VisitorName, start.Text, $"start-{Id}");

        var ticket = await Queue(S.Queue).Enqueue(new QueueEntry(Id, now), atHead: false);
        await ApplyTicket(ticket);
        return View();
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
        if (!duplicate && !caller.IsVisitor)
            await RecordResponse(message.SentAt);
        return new MessageAck(Id, message.Seq, message.SentAt, duplicate);
    }

    public async Task<MessageAck> AddInternal(Caller caller, string kind, string clientMessageId, string text)
    {
        EnsureExists();
        switch (kind)
        {
            case MessageKinds.Whisper when !caller.IsSupervisor:
                throw new ChatRuleException("only a supervisor can whisper");
            case MessageKinds.Whisper when S.Status == ConversationStatus.Closed:
                // A retry of a whisper that made it before the close still gets its ack.
                var earlier = await log.FindAsync(LogStreams.Internal(Id), caller.Id, clientMessageId);
                return earlier is not null ? RetryAck(earlier) : throw new ChatRuleException("conversation is closed");
            case MessageKinds.Whisper:
                break;
            case MessageKinds.Note:
                // Notes stay writable after the close: that is when many get written.
                EnsureStaff(caller);
                break;
            default:
                throw new ChatRuleException($"unknown kind of internal message: {kind}");
        }

        var stream = LogStreams.Internal(Id);
        _lastInternalSeq ??= await log.GetLastSeqAsync(stream);
        var message = new ChatMessage(Id, _lastInternalSeq.Value + 1, caller.Role, caller.Id, caller.Name, text, time.GetUtcNow(), clientMessageId, kind);
        if (await log.AppendAsync(stream, message) is { } stored)
            return RetryAck(stored);
        _lastInternalSeq = message.Seq;
        metrics.MessageSent(caller.Role, kind);
        await Push(agent: c => c.InternalMessageReceived(message), watchers: c => c.InternalMessageReceived(message));
        return new MessageAck(Id, message.Seq, message.SentAt, Duplicate: false);
    }

    public Task<IReadOnlyList<ChatMessage>> GetInternalMessages(Caller caller, long afterSeq, int limit)
    {
        EnsureStaff(caller);
        return log.ReadAsync(LogStreams.Internal(Id), afterSeq, limit);
    }

    public async Task<WatchedConversation> Watch(Caller caller, string connectionId)
    {
        EnsureExists();
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can watch a conversation");
        if (S.Watchers.Add(connectionId))
        {
            while (S.Watchers.Count > MaxWatchers)
                S.Watchers.Remove(S.Watchers.First());
            await WriteState();
        }
        var internalStream = LogStreams.Internal(Id);
        _lastInternalSeq ??= await log.GetLastSeqAsync(internalStream);
        var messages = log.ReadAsync(LogStreams.Public(Id), Math.Max(0, _lastSeq - WatchHistory), WatchHistory);
        var internalMessages = log.ReadAsync(internalStream, Math.Max(0, _lastInternalSeq.Value - WatchHistory), WatchHistory);
        return new WatchedConversation(View(), await messages, await internalMessages);
    }

    public async Task Unwatch(string connectionId)
    {
        if (S.Watchers.Remove(connectionId))
            await WriteState();
    }

    public async Task<ConversationView> TakeOver(Caller caller)
    {
        EnsureExists();
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can take over a conversation");
        if (S.Status == ConversationStatus.Closed)
            throw new ChatRuleException("conversation is closed");
        if (S.Status == ConversationStatus.Active && S.AgentId == caller.Id)
            return View();

        // The supervisor's slot first: whatever the agent or queue does meanwhile, the conversation is never without one.
        var supervisor = await Agent(caller.Id).Claim(Id, S.Queue);
        var previous = S.Status == ConversationStatus.Active ? S.AgentId : null;
        if (previous is not null)
            await Agent(previous).Release(Id);
        else
            await Queue(S.Queue).Remove(Id);
        var note = previous is null
            ? $"{supervisor.DisplayName} joined the conversation."
            : $"{supervisor.DisplayName} took over the conversation from {S.AgentName ?? previous}.";
        await AssignTo(supervisor, note, previous);
        return View();
    }

    public async Task<FeedbackEntry> MarkFeedbackReviewed(Caller caller, bool reviewed)
    {
        EnsureExists();
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can review feedback");
        if (S.Rating is null)
            throw new ChatRuleException("this conversation has no rating to review");
        if (reviewed != (S.ReviewedAt is not null))
        {
            S.ReviewedBy = reviewed ? caller.Id : null;
            S.ReviewedAt = reviewed ? time.GetUtcNow() : null;
            var entry = Feedback();
            await feedback.SaveAsync(entry);
            await WriteState();
            return entry;
        }
        return Feedback();
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
        await WriteState();
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
            return View();

        // Free the queue place or the agent's slot first: the next visitor should not wait on our bookkeeping.
        if (S.Status == ConversationStatus.Queued)
            await Queue(S.Queue).Remove(Id);
        else if (S.AgentId is { } agentId)
            await Agent(agentId).Release(Id);
        if (S.Status == ConversationStatus.Active && !S.AnsweredSinceAssignment)
            await Queue(S.Queue).Left(Id);

        S.Status = ConversationStatus.Closed;
        S.ClosedAt = time.GetUtcNow();
        S.ClosedBy = caller.Role;
        _queuePosition = null;
        await WriteState();
        var name = caller.IsVisitor ? S.VisitorName : caller.Name;
        await AppendSystem($"{name} closed the conversation.");
        var view = View();
        await PushUpdated(view);
        return view;
    }

    public async Task Rate(Caller caller, int score, string? comment)
    {
        EnsureParticipant(caller, acting: true);
        if (!caller.IsVisitor)
            throw new ChatRuleException("only the visitor can rate a conversation");
        if (score is < 1 or > 5)
            throw new ChatRuleException($"score must be from 1 to 5, not {score}");
        var previous = S.Rating?.Score;
        if (previous is null)
        {
            // The rating is filed under the queue and agent of the moment it was first given, whatever happens later.
            S.RatingQueue = S.Queue;
            (S.RatingAgentId, S.RatingAgentName) = (S.AgentId, S.AgentName);
        }
        S.Rating = new Rating(score, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), time.GetUtcNow());
        S.RatingRevisions++;
        // A changed rating is new to review.
        (S.ReviewedBy, S.ReviewedAt) = (null, null);
        // Feedback first: a retry after a failed state write then rates again over it rather than losing it.
        await feedback.SaveAsync(Feedback());
        await WriteState();
        await Queue(S.RatingQueue ?? S.Queue).Rated(score, previous);
        await PushUpdated(View());
    }

    public async Task<ConversationView> Transfer(Caller caller, TransferRequest request)
    {
        EnsureParticipant(caller, acting: true);
        if (caller.IsVisitor)
            throw new ChatRuleException("only an agent can transfer a conversation");
        if (S.Status != ConversationStatus.Active || S.AgentId is not { } fromAgentId)
            throw new ChatRuleException($"only an active conversation can be transferred; this one is {S.Status}");
        var fromName = S.AgentName ?? fromAgentId;

        if (request.ToAgentId is { } toAgentId)
        {
            if (string.Equals(toAgentId, fromAgentId, StringComparison.OrdinalIgnoreCase))
                throw new ChatRuleException($"the conversation is already with {fromName}");
            var reservation = await Agent(toAgentId).TryReserve(Id, S.Queue);
            if (!reservation.Accepted)
                throw new ChatRuleException($"cannot transfer to {toAgentId}: {reservation.Reason}");
            await Agent(fromAgentId).Release(Id);
            await AssignTo(reservation.Agent, $"{fromName} transferred the conversation to {reservation.Agent.DisplayName}.", fromAgentId);
            return View();
        }

        var toQueue = request.ToQueue!;
        if (!options.Value.IsQueue(toQueue))
            throw new ChatRuleException($"unknown queue: {toQueue}");
        await Agent(fromAgentId).Release(Id);
        if (!S.AnsweredSinceAssignment)
            await Queue(S.Queue).Left(Id);
        S.Queue = toQueue;
        await BackToQueue($"{fromName} transferred the conversation to the {toQueue} queue.", fromAgentId);
        var ticket = await Queue(toQueue).Enqueue(new QueueEntry(Id, time.GetUtcNow()), atHead: true);
        await ApplyTicket(ticket);
        return View();
    }

    public Task<ConversationView> GetView(Caller caller)
    {
        EnsureParticipant(caller, acting: false);
        return Task.FromResult(View());
    }

    public Task<ConversationView> Peek() =>
        Exists ? Task.FromResult(View()) : throw new ChatRuleException($"unknown conversation: {Id}");

    public async Task OnAssigned(AgentView agent, string? requeuedFromAgentId, string noticeId)
    {
        // The queue sends a notice again when it did not hear back: this one was taken already (and is announced now,
        // if the turn that took it was cut short).
        if (Exists && S.AssignmentNoticeId == noticeId)
        {
            await Announce();
            return;
        }
        // An old notice, sent again by a later activation of the queue, whose agent has since let the chat go.
        if (Exists && S.Status != ConversationStatus.Closed && !await StillHeldBy(agent.AgentId))
            return;
        // Messages between grains may arrive out of order: a chat its agent gave back can be handed out again before the
        // notice of its return (OnReturned) arrives here. The queue hands out only waiting chats, so the holder has let go.
        if (Exists && S.Status == ConversationStatus.Active && S.AgentId == agent.AgentId)
        {
            // Back with the same agent: to the visitor nothing changed, but the queue counts a new assignment, owed an
            // answer of its own, so the next answer must be reported.
            S.AssignedAt = time.GetUtcNow();
            S.AnsweredSinceAssignment = false;
            S.AssignmentNoticeId = noticeId;
            await WriteState();
            return;
        }
        var stillWanted = Exists && (S.Status == ConversationStatus.Queued
            || (S.Status == ConversationStatus.Active && S.AgentId is { } holder && (holder == requeuedFromAgentId || !await StillHeldBy(holder))));
        if (!stillWanted)
        {
            // Closed (or otherwise taken) while the queue was handing it out: give the slot back.
            await Agent(agent.AgentId).Release(Id);
            return;
        }
        var previous = S.AgentId is not null ? S.AgentName ?? S.AgentId : null;
        var note = previous is null
            ? $"{agent.DisplayName} joined the conversation."
            : $"{previous} is no longer available; {agent.DisplayName} joined the conversation.";
        await AssignTo(agent, note, S.AgentId, noticeId);
    }

    public async Task OnReturned(string fromAgentId)
    {
        if (!Exists)
            return;
        if (S.Status == ConversationStatus.Closed)
        {
            await Queue(S.Queue).Remove(Id);
            return;
        }
        // Only the agent who holds it can send it back. A notice overtaken by the chat's next assignment to the same
        // agent finds it no longer waiting, and is old news too; so is a repeat, the chat being back in the queue already.
        if (S.Status != ConversationStatus.Active || fromAgentId != S.AgentId || await Queue(S.Queue).GetPlace(Id) is not { } place)
            return;
        _queuePosition = place.Position;
        _estimatedWaitSeconds = place.EstimatedWaitSeconds;
        await BackToQueue($"{S.AgentName ?? S.AgentId} is no longer available; you are back in the queue.", S.AgentId);
    }

    public async Task OnQueued(int position, int? estimatedWaitSeconds)
    {
        if (!Exists)
            return;
        if (S.Status == ConversationStatus.Closed)
        {
            await Queue(S.Queue).Remove(Id);
            return;
        }
        // With an agent, this is an old report: a return comes by OnReturned.
        if (S.Status == ConversationStatus.Active)
            return;
        if (_queuePosition == position && _estimatedWaitSeconds == estimatedWaitSeconds)
            return;
        _queuePosition = position;
        _estimatedWaitSeconds = estimatedWaitSeconds;
        var view = View();
        await Push(visitor: c => c.ConversationUpdated(view));
    }

    private async Task ApplyTicket(QueueTicket ticket)
    {
        if (ticket.AssignedTo is { } agent)
        {
            await AssignTo(agent, $"{agent.DisplayName} joined the conversation.", previousAgentId: null, ticket.NoticeId);
            return;
        }
        _queuePosition = ticket.Position;
        _estimatedWaitSeconds = ticket.EstimatedWaitSeconds;
        var view = View();
        await Push(visitor: c => c.ConversationUpdated(view), watchers: c => c.ConversationUpdated(view));
    }

    private async Task AssignTo(AgentView agent, string note, string? previousAgentId, string? noticeId = null)
    {
        S.Status = ConversationStatus.Active;
        S.AssignmentNoticeId = noticeId;
        S.AgentId = agent.AgentId;
        S.AgentName = agent.DisplayName;
        S.AssignedAt = time.GetUtcNow();
        S.AnsweredSinceAssignment = false;
        S.AgentReadSeq = 0;
        _queuePosition = null;
        _estimatedWaitSeconds = null;
        S.Unannounced = new PendingAnnouncement($"system-{noticeId ?? Guid.NewGuid().ToString("N")}", note, previousAgentId);
        await WriteState();
        await Announce();
    }

    /// <summary>
    /// Tells everyone of the assignment recorded in state: the line in the chat, and the pushes to the visitor, the new
    /// agent, the previous one and watchers. Done again by a repeat of the assignment's notice, or by the next
    /// activation, when the turn that recorded it was cut short; the log knows the line by its id, so it is written once.
    /// </summary>
    private async Task Announce()
    {
        if (S.Unannounced is not { } pending || S.Status != ConversationStatus.Active || S.AgentId is not { } agentId)
            return;
        await Append(Roles.System, Roles.System, "LiveChat", pending.Note, pending.LineId);
        var view = View();
        await Push(visitor: c => c.ConversationUpdated(view), agent: c => c.ConversationAssigned(view), watchers: c => c.ConversationUpdated(view));
        if (pending.PreviousAgentId is not null && pending.PreviousAgentId != agentId)
            await PushToAgent(pending.PreviousAgentId, c => c.ConversationUpdated(view));
        S.Unannounced = null;
        await WriteState();
    }

    private async Task BackToQueue(string note, string? previousAgentId)
    {
        S.Status = ConversationStatus.Queued;
        S.Unannounced = null;
        S.AgentId = null;
        S.AgentName = null;
        S.AssignedAt = null;
        await WriteState();
        await AppendSystem(note);
        var view = View();
        await Push(visitor: c => c.ConversationUpdated(view), watchers: c => c.ConversationUpdated(view));
        if (previousAgentId is not null)
            await PushToAgent(previousAgentId, c => c.ConversationUpdated(view));
    }

    private Task AppendSystem(string text) =>
        Append(Roles.System, Roles.System, "LiveChat", text, $"system-{Guid.NewGuid():N}");

    private async Task<(ChatMessage Message, bool Duplicate)> Append(string role, string senderId, string senderName, string text, string clientMessageId)
    {
        var message = new ChatMessage(Id, _lastSeq + 1, role, senderId, senderName, text, time.GetUtcNow(), clientMessageId);
        var earlier = await log.AppendAsync(LogStreams.Public(Id), message);
        if (earlier is not null)
        {
            _recent.Add(senderId, clientMessageId, RetryAck(earlier));
            return (earlier, true);
        }
        _lastSeq = message.Seq;
        _recent.Add(senderId, clientMessageId, RetryAck(message));
        metrics.MessageSent(role, MessageKinds.Message);
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
            throw new ChatRuleException($"unknown conversation: {Id}");
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

    private Task WriteState()
    {
        S.LastSeq = _lastSeq;
        return state.WriteStateAsync();
    }

    private ConversationView View() => new(
        Id, S.Queue, S.Status, S.VisitorId, S.VisitorName, S.AgentId, S.AgentName,
        S.Status == ConversationStatus.Queued ? _queuePosition : null,
        S.Status == ConversationStatus.Queued ? _estimatedWaitSeconds : null,
        S.CreatedAt, S.AssignedAt, S.ClosedAt, _lastSeq, S.Topic, S.Rating, S.FirstResponseSeconds, S.VisitorVerified);

    private FeedbackEntry Feedback() => new(
        Id, S.RatingQueue ?? S.Queue, S.RatingAgentId, S.RatingAgentName, S.VisitorId, S.VisitorName, S.Rating!.Score, S.Rating.Comment, S.Rating.RatedAt,
        S.RatingRevisions, S.ReviewedBy, S.ReviewedAt);

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

    /// <summary>Whether the agent still holds this conversation; an agent who went away or was released holds it no more.</summary>
    private async Task<bool> StillHeldBy(string agentId) => (await Agent(agentId).GetConversationIds()).Contains(Id);

    private IQueueGrain Queue(string name) => GrainFactory.GetGrain<IQueueGrain>(name);

    private IAgentGrain Agent(string agentId) => GrainFactory.GetGrain<IAgentGrain>(agentId.ToLowerInvariant());
}

[GenerateSerializer, Alias("ConversationState")]
public sealed class ConversationState
{
    [Id(0)] public string Queue { get; set; } = "";
    [Id(1)] public string? Topic { get; set; }
    [Id(2)] public ConversationStatus Status { get; set; }
    [Id(3)] public string VisitorId { get; set; } = "";
    [Id(4)] public string VisitorName { get; set; } = "";
    [Id(5)] public string? AgentId { get; set; }
    [Id(6)] public string? AgentName { get; set; }
    [Id(7)] public DateTimeOffset CreatedAt { get; set; }
    [Id(8)] public DateTimeOffset? AssignedAt { get; set; }
    [Id(9)] public DateTimeOffset? ClosedAt { get; set; }
    [Id(10)] public string? ClosedBy { get; set; }
    [Id(11)] public long LastSeq { get; set; }
    [Id(12)] public Rating? Rating { get; set; }
    [Id(13)] public long VisitorReadSeq { get; set; }
    [Id(14)] public long AgentReadSeq { get; set; }
    [Id(15)] public DateTimeOffset? FirstResponseAt { get; set; }
    [Id(16)] public double? FirstResponseSeconds { get; set; }
    [Id(17)] public int RatingRevisions { get; set; }
    [Id(18)] public string? ReviewedBy { get; set; }
    [Id(19)] public DateTimeOffset? ReviewedAt { get; set; }
    // Connection ids of supervisors watching; kept in state so a reactivated grain still pushes to them.
    [Id(20)] public HashSet<string> Watchers { get; set; } = [];
    [Id(21)] public bool AnsweredSinceAssignment { get; set; }
    [Id(22)] public string? RatingQueue { get; set; }
    [Id(23)] public string? RatingAgentId { get; set; }
    [Id(24)] public string? RatingAgentName { get; set; }
    [Id(25)] public bool VisitorVerified { get; set; }
    /// <summary>The queue's notice of the current assignment, so a repeat of it is recognised.</summary>
    [Id(26)] public string? AssignmentNoticeId { get; set; }
    /// <summary>The current assignment, recorded but not yet told to everyone; see Announce.</summary>
    [Id(27)] public PendingAnnouncement? Unannounced { get; set; }
}

/// <summary>An assignment's line in the chat (with its id in the log) and the agent it replaced, until it is announced.</summary>
[GenerateSerializer, Alias("PendingAnnouncement"), Immutable]
public sealed record PendingAnnouncement([property: Id(0)] string LineId, [property: Id(1)] string Note, [property: Id(2)] string? PreviousAgentId);
