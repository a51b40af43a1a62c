using LiveChat.Server.Metrics;
using LiveChat.Server.Notifications;
using LiveChat.Server.Options;
using LiveChat.Server.Reliability;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// A queue: its waiting line (<see cref="WaitingLine"/>) and the agents serving it. Assignment happens only here, one
/// request at a time, to the agent <see cref="AgentChoice"/> picks, and each slot is taken through the agent grain
/// itself, so an agent's limit holds even when the agent serves several queues.
/// Conversations call this grain, so it never waits on one inside a turn, which could close a cycle of grains waiting
/// on each other: they hear of decisions by notices its outbox sends outside the turn (see <see cref="Deliver"/>). It
/// does await agents (to reserve a slot, and to ask their view), which never wait on a queue inside a turn.
/// Its line, notices and hand-backs are in the <see cref="IQueueStore"/>, written by change at the end of each turn
/// that made one (<see cref="Commit"/>), so no arrival rewrites the whole line; its state keeps only the ratings.
/// Its figures for the dashboard are its own (<see cref="QueueFigures"/>), and place updates to waiting visitors are
/// coalesced: a burst of changes costs one round per dashboard interval (QueueGrain.Rounds). Kept alive, as there are
/// only a few queues and their 15-minute windows live in memory.
/// </summary>
[KeepAlive]
public sealed partial class QueueGrain(
    [PersistentState(StorageNames.QueueState, StorageNames.Grains)] IPersistentState<QueueState> state,
    IQueueStore store,
    INotifier notifier,
    IOptions<LiveChatOptions> options,
    LiveChatMetrics metrics,
    TimeProvider time,
    ILogger<QueueGrain> logger) : Grain, IQueueGrain, IOutboxOwner
{
    private readonly QueueFigures _figures = new(TimeSpan.FromMinutes(15));
    private readonly PlaceReports _told = new();
    // Notices not yet known to have arrived, oldest first; and this turn's changes to them, not yet stored.
    private readonly List<PendingNotice> _noticesAdded = [];
    private readonly List<string> _noticesStruck = [];
    private string? _handBackTaken;
    private Outbox<PendingNotice> _notices = null!;

    private string? _name;

    private string Name => _name ??= this.GetPrimaryKeyString();
    private WaitingLine Line { get; } = new();
    private List<PendingNotice> Notices { get; } = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _serving = options.Value.UsersServing(Name).Select(u => u.Username.ToLowerInvariant()).ToHashSet();
        var stored = await store.LoadAsync(Name);
        Line.Restore(stored.Line);
        Notices.AddRange(stored.Notices);
        await MoveOldStateToStore();
        await AskAgents(andWhatTheyHold: true);
        foreach (var (entry, position) in Line.WithPositions())
            _told.Told(entry.ConversationId, position, estimate: null);
        // Notices the last activation had not seen arrive (its node died, or it was deactivated) go on from here.
        _notices = Outbox<PendingNotice>.For(this, () => Notices.Where(n => !_unstoredNotices.Contains(n.Id)), Deliver, time, logger);
        _notices.Send();
        var refresh = TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds);
        this.RegisterGrainTimer(RefreshAgents, new GrainTimerCreationOptions { DueTime = refresh, Period = refresh });
        // Chats the last activation left waiting (its write failed, its node died) may have agents now, some of them
        // holding their slots already: dispatched in a turn of their own, as an activation does not write.
        if (Line.Count > 0)
            this.RegisterGrainTimer(_ => DispatchAndTell(), new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
        await StartRounds();
    }

    public async Task<QueueTicket> Enqueue(QueueEntry entry, bool atHead)
    {
        // Asked again for a conversation already given to an agent (the answer was lost, or the write stored it and
        // its own answer was lost): the same assignment, which its notice also carries, if the agent still holds it
        // (asking again is safe: it holds it already, or takes it by the usual rules).
        if (Notices.FindLast(n => n.ConversationId == entry.ConversationId && n.Agent is not null) is { Agent: { } agent } pending
            && await Reserve(agent.AgentId, entry) is { Accepted: true } held)
            return new QueueTicket(held.Agent, 0, null, pending.Id, StoredBy());
        Line.Join(entry, atHead);
        var assigned = await Dispatch();
        var notices = assigned.Select(a => PendingNotice.Assigned(a.Entry.ConversationId, a.Agent, requeuedFrom: null)).ToList();
        // The caller hears of its own assignment in the answer, and by a notice too: the answer is lost if the
        // caller's node dies before it arrives, and the notice, recognised by its id, changes nothing otherwise.
        var own = notices.Find(n => n.ConversationId == entry.ConversationId);
        notices.ForEach(Notice);
        // The caller awaits the write (IQueueGrain.Stored) outside this turn, so the next arrival need not.
        var stored = StoredBy();

        // The caller hears its place in the answer, not again from the round that follows.
        var ticket = (own is not null ? new QueueTicket(own.Agent, 0, null, own.Id) : PlaceOf(entry.ConversationId)!) with { StoredBy = stored };
        if (own is null)
            _told.Told(entry.ConversationId, ticket.Position, ticket.EstimatedWaitSeconds);
        await RequestRound();
        return ticket;
    }

    public async Task<bool> Remove(string conversationId)
    {
        var removed = Line.Remove(conversationId);
        _told.Forget(conversationId);
        removed |= _figures.NoLongerOwed(conversationId);
        if (removed)
        {
            await WriteAndWait();
            await RequestRound();
        }
        return removed;
    }

    public async Task<bool> TakeOutOfLine(string conversationId)
    {
        if (!Line.Remove(conversationId))
            return false;
        _told.Forget(conversationId);
        await WriteAndWait();
        await RequestRound();
        return true;
    }

    public Task<IReadOnlyList<string>> GetWaitingIds(int limit) => Task.FromResult(Line.FirstIds(limit));

    public Task<QueueTicket?> GetPlace(string conversationId) => Task.FromResult(PlaceOf(conversationId));

    public Task Wake() => Task.CompletedTask;

    public Task<QueueAvailability> GetAvailability() => Task.FromResult(Availability());

    public Task<string?> Admit(string? address)
    {
        var settings = options.Value.SettingsOf(Name);
        var perAddress = options.Value.Limits.WaitingPerAddress;
        string? refusal = IsFull(settings)
            ? $"the {Name} queue is full: {Line.Count} chats are waiting, the most it takes; please leave a message instead"
            : address is not null && Line.WaitingFrom(address) >= perAddress
                ? $"too many chats are waiting from your address: at most {perAddress} in the {Name} queue"
                : null;
        return Task.FromResult(refusal);
    }

    /// <summary>As many chats wait as the queue takes (<see cref="QueueSettings.MaxWaiting"/>; 0 is no cap).</summary>
    private bool IsFull(QueueSettings settings) => settings.MaxWaiting > 0 && Line.Count >= settings.MaxWaiting;

    /// <summary>
    /// What a visitor about to start a chat is told: cheap, from memory (a widget asks on every page view); the average
    /// wait is the dashboard's last figure.
    /// </summary>
    private QueueAvailability Availability()
    {
        var settings = options.Value.SettingsOf(Name);
        var online = _agents.Values.Count(a => a.Status == AgentStatus.Online);
        var estimate = EstimateWait(Line.Count + 1);
        var reason = online == 0 ? AvailabilityReasons.NobodyOnline
            : IsFull(settings) ? AvailabilityReasons.Full
            : settings.LongWaitMinutes > 0 && estimate > settings.LongWaitMinutes * 60 ? AvailabilityReasons.LongWait
            : null;
        return new QueueAvailability(Name, online > 0, online, Line.Count, _lastStats?.AverageWaitSeconds, [],
            Accepting: reason is null or AvailabilityReasons.LongWait, reason, estimate);
    }

    public Task<QueueStats> GetStats() => Task.FromResult(Stats());

    public async Task ReturnToQueue(string fromAgentId, string handBackId, IReadOnlyList<QueueEntry> entries)
    {
        // The agent sends a hand-back again until it hears back; one already taken (the answer was lost) changes nothing,
        // even if its chats have since gone to someone else.
        if (await store.TookHandBackAsync(Name, handBackId))
            return;
        _handBackTaken = handBackId;
        var returned = Line.Return(entries);
        // Waiting again: an answer is owed from whoever takes them next, counted from then.
        foreach (var entry in returned)
            _figures.NoLongerOwed(entry.ConversationId);
        var assigned = await Dispatch();
        var returnedIds = returned.Select(e => e.ConversationId).ToHashSet();
        foreach (var (entry, agent) in assigned)
            Notice(PendingNotice.Assigned(entry.ConversationId, agent, returnedIds.Contains(entry.ConversationId) ? fromAgentId : null));
        // A returned conversation still thinks it is with the agent: it must hear that it is waiting again.
        foreach (var entry in returned.Where(e => assigned.All(a => a.Entry != e)))
        {
            Notice(PendingNotice.Returned(entry.ConversationId, fromAgentId));
            var place = PlaceOf(entry.ConversationId)!;
            _told.Told(entry.ConversationId, place.Position, place.EstimatedWaitSeconds);
        }
        await WriteAndWait();
        await RequestRound();
    }

    /// <summary>
    /// Gives each waiting chat an agent already holds to that agent (see <see cref="AskAgents"/>), then the head
    /// of the line to the agent of <see cref="AgentChoice"/>, for as long as there is one.
    /// </summary>
    private async Task<List<(QueueEntry Entry, AgentView Agent)>> Dispatch()
    {
        var assigned = new List<(QueueEntry, AgentView)>();
        var held = _heldBy.Keys.Where(Line.Contains).Select(id => (Entry: Line.Entry(id), Position: Line.PositionOf(id))).OrderBy(h => h.Position).ToList();
        foreach (var (entry, _) in held)
        {
            _heldBy.Remove(entry.ConversationId, out var holder);
            if (await Reserve(holder!, entry) is { Accepted: true } reservation)
                assigned.Add(Took(entry, reservation.Agent));
        }
        while (Line.Head is { } head && AgentChoice.Pick(_agents.Values, _lastAssignedAt) is { } candidate)
        {
            if (await Reserve(candidate.AgentId, head) is not { } reservation)
                break;
            if (reservation.Accepted)
                assigned.Add(Took(head, reservation.Agent));
        }
        return assigned;
    }

    /// <summary>Asks the agent grain for a slot; null when it did not answer.</summary>
    private async Task<Reservation?> Reserve(string agentId, QueueEntry entry)
    {
        Reservation reservation;
        try
        {
            reservation = await Agent(agentId).TryReserve(entry.ConversationId, Name, entry.FirstWaited);
        }
        catch (Exception ex)
        {
            // The chat keeps its place; the next change of any agent dispatches again.
            logger.LogWarning(ex, "Queue {Queue}: could not reserve a slot with {AgentId}", Name, agentId);
            _agents.Remove(agentId);
            return null;
        }
        // The agent grain's answer is the truth; a refusal means our view was stale.
        _agents[agentId] = reservation.Agent;
        if (!reservation.Accepted && reservation.Agent.HasFreeCapacity)
            _agents.Remove(agentId);
        return reservation;
    }

    /// <summary>The chat leaves the line for its agent.</summary>
    private (QueueEntry, AgentView) Took(QueueEntry entry, AgentView agent)
    {
        Line.Remove(entry.ConversationId);
        _told.Forget(entry.ConversationId);
        var now = time.GetUtcNow();
        _lastAssignedAt[agent.AgentId] = now;
        _figures.Assigned(entry, now);
        metrics.Waited(Name, now - entry.EnqueuedAt);
        return (entry, agent);
    }

    /// <summary>Hands waiting chats to agents with room, if any; true when some were assigned.</summary>
    private async Task<bool> DispatchWaiting()
    {
        if (Line.Count == 0 || await Dispatch() is not { Count: > 0 } assigned)
            return false;
        foreach (var (entry, agent) in assigned)
            Notice(PendingNotice.Assigned(entry.ConversationId, agent, requeuedFrom: null));
        // Nobody waits for this answer: the notices go out once the writer has stored them.
        StoredBy();
        return true;
    }

    /// <summary>Where a waiting conversation stands, or null when it is not waiting here.</summary>
    private QueueTicket? PlaceOf(string conversationId) =>
        Line.PositionOf(conversationId) is var position and > 0 ? new QueueTicket(null, position, EstimateWait(position)) : null;

    private int? EstimateWait(int position) => Estimator()(position);

    /// <summary>The estimate for any position, from the queue's figures as they are now: read once for a round.</summary>
    private Func<int, int?> Estimator()
    {
        var (count, span) = _figures.RecentAssignments(time.GetUtcNow());
        var online = _agents.Values.Count(a => a.Status == AgentStatus.Online);
        var free = AgentChoice.FreeSlots(_agents.Values);
        return position => WaitEstimate.Seconds(position, free, online, count, span);
    }

    /// <summary>A conversation has a notice: struck from the outbox in a turn of its own.</summary>
    Task IOutboxOwner.Delivered(string noticeId)
    {
        // Struck in a later batch; if that write is lost, the next activation sends the notice again, which its
        // conversation recognises.
        if (Notices.RemoveAll(n => n.Id == noticeId) > 0)
        {
            _noticesStruck.Add(noticeId);
            StoredBy();
        }
        return Task.CompletedTask;
    }

    /// <summary>A notice to send once this turn's change is stored.</summary>
    private void Notice(PendingNotice notice)
    {
        Notices.Add(notice);
        _noticesAdded.Add(notice);
        _unstoredNotices.Add(notice.Id);
    }

    /// <summary>
    /// A queue stored before its line had a store of its own kept line, notices and hand-backs in its state: moved to
    /// the store once (a repeat after a failed write changes nothing there), then struck from the state.
    /// </summary>
    private async Task MoveOldStateToStore()
    {
        var old = state.State;
        if (old.Waiting.Count == 0 && old.Notices.Count == 0)
            return;
        foreach (var entry in old.Waiting)
            Line.Join(entry, atHead: false);
        foreach (var notice in old.Notices.Where(n => Notices.TrueForAll(p => p.Id != n.Id)))
            Notice(notice);
        await WriteAndWait();
        (old.Waiting, old.Notices, old.HandBacks) = ([], [], []);
        await state.Save(this);
    }

    /// <summary>
    /// Tells a conversation of its assignment or its return to the queue, by the outbox (see <see cref="Outbox{T}"/>),
    /// since a notice lost with a node would strand its chat, an agent's slot taken and the visitor never told. The
    /// conversation knows a notice it already took by its id, and ignores one whose agent no longer holds the chat.
    /// </summary>
    private Task Deliver(PendingNotice notice) => notice.Agent is { } agent
        ? Conversation(notice.ConversationId).Assigned(agent, notice.RequeuedFrom, notice.Id)
        : Conversation(notice.ConversationId).Returned(Name, notice.RequeuedFrom!, notice.Id);

    private IConversationGrain Conversation(string id) => GrainFactory.GetGrain<IConversationGrain>(id);
}
