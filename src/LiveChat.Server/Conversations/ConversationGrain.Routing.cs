using LiveChat.Server.Reliability;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Conversations;

/// <summary>The conversation's way through its queue: assigned, returned, transferred, its place while it waits.</summary>
public sealed partial class ConversationGrain
{
    private static readonly TimeSpan FirstRejoin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestRejoin = TimeSpan.FromSeconds(30);

    private IGrainTimer? _rejoin;
    // How the conversation joins its queue again, and after how long; the entry it first tried, if this activation knows it.
    private (QueueEntry Entry, bool AtHead)? _rejoinAs;
    private TimeSpan _rejoinWait = FirstRejoin;

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
            var reservation = await Agent(toAgentId).TryReserve(Id, S.Queue, S.CreatedAt);
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
        await EnterQueue(new QueueEntry(Id, time.GetUtcNow(), S.CreatedAt), atHead: true);
        return View();
    }

    public async Task Assigned(AgentView agent, string? requeuedFromAgentId, string noticeId)
    {
        var standing = new ConversationStanding(Exists, S.Status, S.AgentId, S.LastNoticeId);
        switch (await AssignmentRule.Decide(standing, noticeId, agent.AgentId, requeuedFromAgentId, StillHeldBy))
        {
            case AssignmentOutcome.AlreadyTaken:
                // Shown now, if the turn that took it was cut short.
                await ShowAssignment();
                return;
            case AssignmentOutcome.Stale:
                return;
            case AssignmentOutcome.BackWithSameAgent:
                // To the visitor nothing changed, but the queue counts a new assignment, owed an answer of its own, so the
                // next answer must be reported.
                S.AssignedAt = time.GetUtcNow();
                S.AnsweredSinceAssignment = false;
                S.LastNoticeId = noticeId;
                await WriteState();
                return;
            case AssignmentOutcome.NotWanted:
                await Agent(agent.AgentId).Release(Id);
                return;
        }
        var previous = S.AgentId is not null ? S.AgentName ?? S.AgentId : null;
        var note = previous is null
            ? $"{agent.DisplayName} joined the conversation."
            : $"{previous} is no longer available; {agent.DisplayName} joined the conversation.";
        await AssignTo(agent, note, S.AgentId, noticeId);
    }

    public async Task Returned(string queue, string fromAgentId, string noticeId)
    {
        if (!Exists || S.LastNoticeId == noticeId)
            return;
        // Only the agent who holds it can send it back. A notice overtaken by the chat's next assignment to the same
        // agent finds it no longer waiting, and is old news too.
        if (S.Status != ConversationStatus.Active || fromAgentId != S.AgentId || queue != S.Queue || await Queue(queue).GetPlace(Id) is not { } place)
        {
            // Old news, for which the queue put the chat back in its line: a close, a transfer or another agent overtook
            // the agent's leaving. Unless it waits there in its own right, it leaves that line, or an agent would be
            // given a chat that is no longer waiting, and everyone behind it would wait longer.
            if (S.Status == ConversationStatus.Closed)
                await Queue(queue).Remove(Id);
            else if (S.Status != ConversationStatus.Queued || queue != S.Queue)
                await Queue(queue).TakeOutOfLine(Id);
            return;
        }
        _queuePosition = place.Position;
        _estimatedWaitSeconds = place.EstimatedWaitSeconds;
        S.LastNoticeId = noticeId;
        await BackToQueue($"{S.AgentName ?? S.AgentId} is no longer available; you are back in the queue.", S.AgentId);
        await LetGoIfGone();
    }

    public async Task Queued(int position, int? estimatedWaitSeconds)
    {
        if (!Exists)
            return;
        if (S.Status == ConversationStatus.Closed)
        {
            await Queue(S.Queue).Remove(Id);
            return;
        }
        // With an agent, this is an old report: a return comes by Returned.
        if (S.Status == ConversationStatus.Active)
            return;
        if (_queuePosition == position && _estimatedWaitSeconds == estimatedWaitSeconds)
            return;
        _queuePosition = position;
        _estimatedWaitSeconds = estimatedWaitSeconds;
        var view = View();
        await Push(visitor: c => c.ConversationUpdated(view));
    }

    /// <summary>
    /// Puts this conversation, stored as waiting in its queue, in that queue, and shows where it stands. When the queue
    /// does not answer, it may or may not hold the conversation (its write failed, or only its answer was lost): the
    /// conversation asks again (see <see cref="RejoinQueueSoon"/>) until it waits there or has an agent, and the caller
    /// hears that it waits, as it does: the start or the transfer happened, and a retry of it would be refused.
    /// </summary>
    private async Task EnterQueue(QueueEntry entry, bool atHead)
    {
        QueueTicket ticket;
        try
        {
            ticket = await Queue(S.Queue).Enqueue(entry, atHead);
            await WhenStored(ticket);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Conversation {ConversationId}: the {Queue} queue did not answer, asked again in {Wait}: {Error}", Id, S.Queue, _rejoinWait, ex.Message);
            RejoinQueueSoon(entry, atHead);
            return;
        }
        await ApplyTicket(ticket);
    }

    /// <summary>
    /// Until the conversation waits in its queue or has an agent, the enqueue is sent again, 2 s later, then twice as
    /// long each time up to 30 s (it is safe to repeat: the queue knows a conversation that waits already, or that it
    /// gave out). Keeps the grain alive meanwhile, as nothing else may call it: a visitor waiting quietly sends nothing.
    /// </summary>
    private void RejoinQueueSoon(QueueEntry entry, bool atHead)
    {
        _rejoinAs ??= (entry, atHead);
        _rejoin ??= this.RegisterGrainTimer(RejoinQueue, new GrainTimerCreationOptions { DueTime = _rejoinWait, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
    }

    private async Task RejoinQueue(CancellationToken cancellationToken)
    {
        _rejoin?.Dispose();
        _rejoin = null;
        if (S.Status != ConversationStatus.Queued || _rejoinAs is not var (entry, atHead))
            return;
        QueueTicket ticket;
        try
        {
            ticket = await Queue(S.Queue).Enqueue(entry, atHead);
            await WhenStored(ticket);
        }
        catch (Exception ex)
        {
            _rejoinWait = TimeSpan.FromTicks(Math.Min(2 * _rejoinWait.Ticks, LongestRejoin.Ticks));
            logger.Log(TransientFailures.IsTransient(ex) ? LogLevel.Warning : LogLevel.Error, ex,
                "Conversation {ConversationId}: the {Queue} queue did not take it, asked again in {Wait}", Id, S.Queue, _rejoinWait);
            RejoinQueueSoon(entry, atHead);
            return;
        }
        (_rejoinAs, _rejoinWait) = (null, FirstRejoin);
        await ApplyTicket(ticket);
    }

    /// <summary>What the queue answered holds once it is stored, which the queue does after its turn, with other arrivals.</summary>
    private Task WhenStored(QueueTicket ticket) => ticket.StoredBy is { } write ? Queue(S.Queue).Stored(write) : Task.CompletedTask;

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
        WatchSilence();
        S.LastNoticeId = noticeId ?? S.LastNoticeId;
        S.AgentId = agent.AgentId;
        S.AgentName = agent.DisplayName;
        S.AssignedAt = time.GetUtcNow();
        S.AnsweredSinceAssignment = false;
        S.AgentReadSeq = 0;
        _queuePosition = null;
        _estimatedWaitSeconds = null;
        S.UnshownAssignment = new PendingAssignmentLine($"system-{noticeId ?? Guid.NewGuid().ToString("N")}", note, previousAgentId);
        await WriteState();
        try
        {
            await ShowAssignment();
        }
        catch
        {
            // Recorded but not shown (the log or the store failed): the outbox shows it once they are back.
            _assignmentLine.Send();
            throw;
        }
        await LetGoIfGone();
    }

    /// <summary>
    /// Shows everyone the assignment recorded in state: the line in the chat, and the pushes to the visitor, the new agent,
    /// the previous one and watchers. The line is the conversation's own outbox message, stored with the assignment and
    /// delivered to itself: at once, in the turn that recorded it; when that turn was cut short, by the next activation's
    /// outbox (its receipt shows it) or a repeat of the queue's notice. The log knows the line by its id, so it is written once.
    /// </summary>
    private async Task ShowAssignment()
    {
        if (S.UnshownAssignment is not { } line)
            return;
        if (S.Status == ConversationStatus.Active && S.AgentId is { } agentId)
        {
            await Append(Roles.System, Roles.System, "LiveChat", line.Note, line.LineId);
            var view = View();
            await Push(visitor: c => c.ConversationUpdated(view), agent: c => c.ConversationAssigned(view), watchers: c => c.ConversationUpdated(view));
            if (line.PreviousAgentId is not null && line.PreviousAgentId != agentId)
                await PushToAgent(line.PreviousAgentId, c => c.ConversationUpdated(view));
        }
        S.UnshownAssignment = null;
        await WriteState();
    }

    /// <summary>The receipt of the outbox's line (see <see cref="ShowAssignment"/>): shown in a turn of its own.</summary>
    async Task IOutboxOwner.Delivered(string lineId)
    {
        if (S.UnshownAssignment?.LineId == lineId)
            await ShowAssignment();
    }

    private async Task BackToQueue(string note, string? previousAgentId)
    {
        S.Status = ConversationStatus.Queued;
        S.UnshownAssignment = null;
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

    /// <summary>Whether the agent still holds this conversation; an agent who went away or was released holds it no more.</summary>
    private async Task<bool> StillHeldBy(string agentId) => (await Agent(agentId).GetConversationIds()).Contains(Id);
}
