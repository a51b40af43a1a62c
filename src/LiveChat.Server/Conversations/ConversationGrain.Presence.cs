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
    // When someone last wrote in the assigned chat (or it was assigned, or this activation began), and the timer that
    // watches for silence past the queue's IdleSeconds.
    private DateTimeOffset _lastWritten;
    private IGrainTimer? _silence;
    private bool _releasedForSilence;

    public async Task VisitorPresenceChanged(VisitorPresence presence)
    {
        if (!Exists || S.Status == ConversationStatus.Closed)
            return;
        if (presence == _visitorPresence)
        {
            // Here, as this activation thought: its agent may still hold the chat as idle from before a restart.
            if (presence == VisitorPresence.Here && S.Status == ConversationStatus.Active && !_releasedForSilence && S.AgentId is { } holder)
                await Agent(holder).SetIdle(Id, idle: false);
            return;
        }
        // Noted only once done: a call that failed leaves the news to be acted on when it comes again.
        var was = _visitorPresence;
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
        else if (was == VisitorPresence.Gone && !_releasedForSilence && S.AgentId is { } agentId)
        {
            await Agent(agentId).SetIdle(Id, idle: false);
        }
        _visitorPresence = presence;
        if (S.Status == ConversationStatus.Active)
        {
            var view = View();
            await Push(agent: c => c.ConversationUpdated(view), watchers: c => c.ConversationUpdated(view));
        }
    }

    /// <summary>
    /// A chat whose visitor is gone that moved on (back to its queue when its agent left, or to another agent) is let go
    /// again where it now is: abandoned if it waits, closed or not counted against its new agent if assigned. No agent is
    /// handed a chat whose visitor is gone.
    /// </summary>
    private async Task LetGoIfGone()
    {
        if (_visitorPresence != VisitorPresence.Gone || S.Status == ConversationStatus.Closed)
            return;
        if (S.Status == ConversationStatus.Queued)
            await CloseFor(ClosedReasons.Abandoned, $"{S.VisitorName} left before an agent was free.");
        else if (options.Value.SettingsOf(S.Queue).WhenVisitorLeaves == VisitorLeftAction.Close)
            await CloseFor(ClosedReasons.VisitorLeft, $"{S.VisitorName} left the chat; it was closed after {options.Value.VisitorGraceSeconds} seconds without them.");
        else if (S.AgentId is { } agentId)
            await Agent(agentId).SetIdle(Id, idle: true);
    }

    /// <summary>An assigned chat starts being watched for silence, if its queue says so; anything else stops it.</summary>
    private void WatchSilence()
    {
        _silence?.Dispose();
        _silence = null;
        _releasedForSilence = false;
        _lastWritten = time.GetUtcNow();
        var idle = options.Value.SettingsOf(S.Queue).IdleSeconds;
        if (idle <= 0 || S.Status != ConversationStatus.Active)
            return;
        var check = TimeSpan.FromSeconds(Math.Clamp(idle / 4.0, 1, 60));
        // Kept alive meanwhile: a silent chat is one nothing else calls.
        _silence = this.RegisterGrainTimer(CheckSilence, new GrainTimerCreationOptions { DueTime = check, Period = check, KeepAlive = true });
    }

    private async Task CheckSilence(CancellationToken cancellationToken)
    {
        var settings = options.Value.SettingsOf(S.Queue);
        if (S.Status != ConversationStatus.Active)
        {
            _silence?.Dispose();
            _silence = null;
            return;
        }
        if (_releasedForSilence || time.GetUtcNow() - _lastWritten < TimeSpan.FromSeconds(settings.IdleSeconds))
            return;
        if (settings.WhenVisitorLeaves == VisitorLeftAction.Close)
        {
            await CloseFor(ClosedReasons.Idle, $"No one wrote for {Spoken(settings.IdleSeconds)}; the chat was closed.");
            return;
        }
        if (S.AgentId is { } agentId)
            await Agent(agentId).SetIdle(Id, idle: true);
        // Released: no timer keeps the grain alive for it; the next message watches again.
        _releasedForSilence = true;
        _silence?.Dispose();
        _silence = null;
    }

    /// <summary>Someone wrote in the chat: the silence is over, and a chat released for it counts against its agent again.</summary>
    private async Task Wrote()
    {
        _lastWritten = time.GetUtcNow();
        if (!_releasedForSilence)
            return;
        if (_visitorPresence != VisitorPresence.Gone && S.AgentId is { } agentId)
            await Agent(agentId).SetIdle(Id, idle: false);
        WatchSilence();
    }

    /// <summary>Closed by LiveChat, not by a person: the queue place or the agent's slot is freed, and the line says why.</summary>
    private async Task CloseFor(string reason, string note)
    {
        var wasQueued = S.Status == ConversationStatus.Queued;
        await CloseAs(Roles.System, note, reason);
        if (wasQueued)
            await Queue(S.Queue).Abandoned();
        metrics.Closed(S.Queue, reason);
        logger.LogInformation("Conversation {ConversationId} closed: {Reason}", Id, reason);
        await ShowClosed();
    }

    /// <summary>A span as the transcript says it: whole minutes when it is some, else seconds.</summary>
    private static string Spoken(int seconds) =>
        seconds >= 60 && seconds % 60 == 0 ? $"{seconds / 60} minute{(seconds == 60 ? "" : "s")}" : $"{seconds} seconds";
}
