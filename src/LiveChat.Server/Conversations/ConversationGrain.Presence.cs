using LiveChat.Server.Options;

namespace LiveChat.Server.Conversations;

/// <summary>
/// The visitor's presence as this conversation hears it from their grain: shown to the agent and watchers; gone, a
/// waiting chat is abandoned (out of its queue, closed with a line saying why) and an assigned one is closed or stops
/// counting against its agent, as its queue is set (<see cref="QueueSettings.WhenVisitorLeaves"/>).
/// </summary>
public sealed partial class ConversationGrain
{
    private VisitorPresence _visitorPresence = VisitorPresence.Here;

    public async Task VisitorPresenceChanged(VisitorPresence presence)
    {
        if (!Exists || S.Status == ConversationStatus.Closed || presence == _visitorPresence)
            return;
        var was = _visitorPresence;
        _visitorPresence = presence;
        if (presence == VisitorPresence.Gone)
        {
            if (S.Status == ConversationStatus.Queued)
            {
                await CloseFor(ClosedReasons.Abandoned, $"{S.VisitorName} left before an agent was free.");
                return;
            }
            if (options.Value.SettingsOf(S.Queue).WhenVisitorLeaves == VisitorLeftAction.Close)
            {
                await CloseFor(ClosedReasons.VisitorLeft, $"{S.VisitorName} left the chat; it was closed after {options.Value.VisitorGraceSeconds} seconds without them.");
                return;
            }
            if (S.AgentId is { } agentId)
                await Agent(agentId).SetIdle(Id, idle: true);
        }
        else if (was == VisitorPresence.Gone && S.AgentId is { } agentId)
        {
            await Agent(agentId).SetIdle(Id, idle: false);
        }
        if (S.Status == ConversationStatus.Active)
        {
            var view = View();
            await Push(agent: c => c.ConversationUpdated(view), watchers: c => c.ConversationUpdated(view));
        }
    }

    /// <summary>Closed by LiveChat, not by a person: the queue place or the agent's slot is freed, and the line says why.</summary>
    private async Task CloseFor(string reason, string note)
    {
        var wasQueued = S.Status == ConversationStatus.Queued;
        if (wasQueued)
            await Queue(S.Queue).Remove(Id);
        else if (S.AgentId is { } agentId)
            await Agent(agentId).Release(Id);
        if (S.Status == ConversationStatus.Active && !S.AnsweredSinceAssignment)
            await Queue(S.Queue).Left(Id);
        S.Status = ConversationStatus.Closed;
        S.ClosedAt = time.GetUtcNow();
        S.ClosedBy = Roles.System;
        S.ClosedReason = reason;
        S.ClosedNote = note;
        _queuePosition = null;
        await WriteState();
        if (wasQueued)
            await Queue(S.Queue).Abandoned();
        metrics.Closed(S.Queue, reason);
        logger.LogInformation("Conversation {ConversationId} closed: {Reason}", Id, reason);
        await ShowClosed();
    }
}
