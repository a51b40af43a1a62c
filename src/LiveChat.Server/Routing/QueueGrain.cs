using LiveChat.Server.Hosting;
using LiveChat.Server.Metrics;
using LiveChat.Server.Notifications;
using LiveChat.Server.Options;
using LiveChat.Server.Reliability;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// Waiting conversations in arrival order and the agents serving the queue. Assignment happens only here, one
/// request at a time, and each slot is taken through the agent grain itself, so an agent's limit holds even when
/// the agent serves several queues.
/// Conversations call this grain, so it never waits on one inside a turn, which could close a cycle of grains waiting
/// on each other: they hear of decisions by notices its outbox sends outside the turn (see Deliver). It does await
/// agents (to reserve a slot, and to ask their view), which never wait on a queue inside a turn.
/// Its numbers for the dashboard (waits, first responses, breaches, ratings) are its own counters, and position
/// updates to waiting visitors are coalesced: a burst of changes costs one round per dashboard interval. Kept alive,
/// as there are only a few queues and their 15-minute windows live in memory.
/// </summary>
[KeepAlive]
public sealed class QueueGrain(
    [PersistentState(StorageNames.QueueState, StorageNames.Grains)] IPersistentState<QueueState> state,
    IOptions<LiveChatOptions> options,
    LiveChatMetrics metrics,
    TimeProvider time,
    ILogger<QueueGrain> logger) : Grain, IQueueGrain, IOutboxOwner
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(15);
    // While anyone waits, the dashboard's waits and breaches grow by themselves: refreshed this often.
    private static readonly TimeSpan ClockRefresh = TimeSpan.FromSeconds(1);
    // An entry whose conversation never reported back (its node died) stops counting after this.
    private static readonly TimeSpan ForgetAwaitingAfter = TimeSpan.FromHours(12);
    // Hand-backs remembered, so a repeat is recognised: far more than agents can hand back while one is being resent.
    private const int HandBacksKept = 500;

    // Agents' status and load as last reported; a cache, rebuilt from the agent grains on activation.
    private readonly Dictionary<string, AgentView> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastAssignedAt = new(StringComparer.Ordinal);
    // Each assignment's wait, at the time of assignment: the average wait, and the rate of assignments for estimates.
    private readonly RecentWindow _recentWaits = new(RateWindow);
    private readonly RecentWindow _recentFirstResponses = new(RateWindow);
    // Assigned conversations whose agent has not answered yet, with the time of assignment.
    private readonly Dictionary<string, DateTimeOffset> _awaitingFirstResponse = new(StringComparer.Ordinal);
    // The place and estimate each waiting conversation was last told, so only changes are sent.
    private readonly Dictionary<string, (int Position, int? Estimate)> _reported = new(StringComparer.Ordinal);
    private HashSet<string> _serving = [];
    private Outbox<PendingNotice> _notices = null!;
    private Coalescer _rounds = null!;
    private QueueStats? _lastStats;
    private DateTimeOffset _lastStatsAt;

    private string Name => this.GetPrimaryKeyString();
    private List<QueueEntry> Waiting => state.State.Waiting;
    private List<PendingNotice> Notices => state.State.Notices;
    private TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.DashboardIntervalMilliseconds);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _serving = options.Value.UsersServing(Name).Select(u => u.Username.ToLowerInvariant()).ToHashSet();
        await AskAgents();
        foreach (var (entry, index) in Waiting.Select((e, i) => (e, i)))
            _reported[entry.ConversationId] = (index + 1, null);
        // Notices the last activation had not seen arrive (its node died, or it was deactivated) go on from here.
        _notices = new Outbox<PendingNotice>(this, () => Notices, Deliver, time, logger);
        _notices.Send();
        this.RegisterGrainTimer(OnTick, new GrainTimerCreationOptions { DueTime = Interval, Period = Interval });
        var refresh = TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds);
        this.RegisterGrainTimer(RefreshAgents, new GrainTimerCreationOptions { DueTime = refresh, Period = refresh });
        // Waiting visitors hear their (possibly new) estimates, and the dashboard this queue's numbers, an interval after activation.
        _rounds = new Coalescer(this, time, Interval, Flush, lastRun: time.GetUtcNow());
        await _rounds.Request();
    }

    public async Task<QueueTicket> Enqueue(QueueEntry entry, bool atHead)
    {
        if (PositionOf(entry.ConversationId) == 0)
        {
            if (atHead)
                Waiting.Insert(0, entry);
            else
                Waiting.Add(entry);
        }
        var assigned = await Dispatch();
        var notices = assigned.Select(a => PendingNotice.Assigned(a.Entry.ConversationId, a.Agent, requeuedFrom: null)).ToList();
        // The caller hears of its own assignment in the answer, and by a notice too: the answer is lost if the
        // caller's node dies before it arrives, and the notice, recognised by its id, changes nothing otherwise.
        var own = notices.Find(n => n.ConversationId == entry.ConversationId);
        Notices.AddRange(notices);
        await state.WriteStateAsync();
        _notices.Send();

        // The caller hears its place in the answer, not again from the round that follows.
        var ticket = own is not null ? new QueueTicket(own.Agent, 0, null, own.Id) : PlaceOf(entry.ConversationId)!;
        if (own is null)
            _reported[entry.ConversationId] = (ticket.Position, ticket.EstimatedWaitSeconds);
        await RequestFlush();
        return ticket;
    }

    public async Task<bool> Remove(string conversationId)
    {
        var removed = Waiting.RemoveAll(e => e.ConversationId == conversationId) > 0;
        _reported.Remove(conversationId);
        removed |= _awaitingFirstResponse.Remove(conversationId);
        if (removed)
        {
            await state.WriteStateAsync();
            await RequestFlush();
        }
        return removed;
    }

    public Task<IReadOnlyList<string>> GetWaitingIds(int limit) =>
        Task.FromResult<IReadOnlyList<string>>(Waiting.Take(limit).Select(e => e.ConversationId).ToList());

    public Task<QueueTicket?> GetPlace(string conversationId) => Task.FromResult(PlaceOf(conversationId));

    public Task Wake() => Task.CompletedTask;

    public Task<QueueStats> GetStats() => Task.FromResult(Stats());

    public async Task ReturnToQueue(string fromAgentId, string handBackId, IReadOnlyList<QueueEntry> entries)
    {
        // The agent sends a hand-back again until it hears back; one already taken (the answer was lost) changes nothing,
        // even if its chats have since gone to someone else.
        if (state.State.HandBacks.Contains(handBackId))
            return;
        state.State.HandBacks.Add(handBackId);
        if (state.State.HandBacks.Count > HandBacksKept)
            state.State.HandBacks.RemoveRange(0, state.State.HandBacks.Count - HandBacksKept);
        var returned = entries.Where(e => PositionOf(e.ConversationId) == 0).ToList();
        Waiting.InsertRange(0, returned);
        // Waiting again: an answer is owed from whoever takes them next, counted from then.
        foreach (var entry in returned)
            _awaitingFirstResponse.Remove(entry.ConversationId);
        var assigned = await Dispatch();
        var returnedIds = returned.Select(e => e.ConversationId).ToHashSet();
        foreach (var (entry, agent) in assigned)
            Notices.Add(PendingNotice.Assigned(entry.ConversationId, agent, returnedIds.Contains(entry.ConversationId) ? fromAgentId : null));
        // A returned conversation still thinks it is with the agent: it must hear that it is waiting again.
        foreach (var entry in returned.Where(e => assigned.All(a => a.Entry != e)))
        {
            Notices.Add(PendingNotice.Returned(entry.ConversationId, fromAgentId));
            var place = PlaceOf(entry.ConversationId)!;
            _reported[entry.ConversationId] = (place.Position, place.EstimatedWaitSeconds);
        }
        await state.WriteStateAsync();
        _notices.Send();
        await RequestFlush();
    }

    public async Task AgentChanged(AgentView agent)
    {
        // Only agents configured for this queue take its chats, whatever conversations they happen to hold.
        if (!_serving.Contains(agent.AgentId))
            return;
        _agents[agent.AgentId] = agent;
        if (agent.HasFreeCapacity)
            await DispatchWaiting();
        // Free capacity changes every estimate, and the dashboard shows the agent's load.
        await RequestFlush();
    }

    public async Task Responded(string conversationId, double? firstResponseSeconds)
    {
        var wasAwaited = _awaitingFirstResponse.Remove(conversationId);
        if (firstResponseSeconds is { } seconds)
        {
            _recentFirstResponses.Add(time.GetUtcNow(), seconds);
            metrics.FirstResponse(Name, seconds);
        }
        if (wasAwaited || firstResponseSeconds is not null)
            await RequestFlush();
    }

    public async Task Left(string conversationId)
    {
        if (_awaitingFirstResponse.Remove(conversationId))
            await RequestFlush();
    }

    public async Task Rated(int score, int? previousScore)
    {
        state.State.RatingSum += score - (previousScore ?? 0);
        if (previousScore is null)
            state.State.Ratings++;
        await state.WriteStateAsync();
        await RequestFlush();
    }

    /// <summary>Gives the head of the queue to the least-loaded online agent with room, for as long as there is one.</summary>
    private async Task<List<(QueueEntry Entry, AgentView Agent)>> Dispatch()
    {
        var assigned = new List<(QueueEntry, AgentView)>();
        while (Waiting.Count > 0 && PickAgent() is { } candidate)
        {
            var head = Waiting[0];
            Reservation reservation;
            try
            {
                reservation = await GrainFactory.GetGrain<IAgentGrain>(candidate.AgentId).TryReserve(head.ConversationId, Name);
            }
            catch (Exception ex)
            {
                // The head keeps its place; the next change of any agent dispatches again.
                logger.LogWarning(ex, "Queue {Queue}: could not reserve a slot with {AgentId}", Name, candidate.AgentId);
                _agents.Remove(candidate.AgentId);
                break;
            }
            // The agent grain's answer is the truth; a refusal means our view was stale.
            _agents[candidate.AgentId] = reservation.Agent;
            if (!reservation.Accepted)
            {
                if (reservation.Agent.HasFreeCapacity)
                    _agents.Remove(candidate.AgentId);
                continue;
            }
            Waiting.RemoveAt(0);
            _reported.Remove(head.ConversationId);
            var now = time.GetUtcNow();
            _lastAssignedAt[candidate.AgentId] = now;
            _recentWaits.Add(now, (now - head.EnqueuedAt).TotalSeconds);
            _awaitingFirstResponse[head.ConversationId] = now;
            metrics.Waited(Name, now - head.EnqueuedAt);
            assigned.Add((head, reservation.Agent));
        }
        return assigned;
    }

    /// <summary>1 for the head of the queue, 0 when the conversation is not waiting here.</summary>
    private int PositionOf(string conversationId) => Waiting.FindIndex(e => e.ConversationId == conversationId) + 1;

    /// <summary>Where a waiting conversation stands, or null when it is not waiting here.</summary>
    private QueueTicket? PlaceOf(string conversationId) =>
        PositionOf(conversationId) is var position and > 0 ? new QueueTicket(null, position, EstimateWait(position)) : null;

    private AgentView? PickAgent() => _agents.Values
        .Where(a => a.HasFreeCapacity)
        .OrderBy(a => a.ActiveConversations)
        .ThenBy(a => _lastAssignedAt.GetValueOrDefault(a.AgentId))
        .ThenBy(a => a.AgentId, StringComparer.Ordinal)
        .FirstOrDefault();

    /// <summary>A conversation has a notice: struck from the outbox in a turn of its own.</summary>
    async Task IOutboxOwner.Delivered(string noticeId)
    {
        _notices.Forget(noticeId);
        if (Notices.RemoveAll(n => n.Id == noticeId) > 0)
            await state.WriteStateAsync();
    }

    /// <summary>
    /// Tells a conversation of its assignment or its return to the queue: sent by the outbox (see <see cref="Outbox{T}"/>),
    /// since a notice lost with a node would strand its chat, an agent's slot taken and the visitor never told. The
    /// conversation knows a notice it already took by its id, and ignores one whose agent no longer holds the chat.
    /// </summary>
    private Task Deliver(PendingNotice notice) => notice.Agent is { } agent
        ? Conversation(notice.ConversationId).Assigned(agent, notice.RequeuedFrom, notice.Id)
        : Conversation(notice.ConversationId).Returned(notice.RequeuedFrom!, notice.Id);

    /// <summary>Something changed: waiting visitors' places and the dashboard's numbers go out in the next round.</summary>
    private Task RequestFlush() => _rounds.Request();

    /// <summary>While anyone waits or is owed an answer, the dashboard's waits and breaches grow by themselves.</summary>
    private Task OnTick(CancellationToken cancellationToken)
    {
        if (!_rounds.IsPending && (Waiting.Count > 0 || _awaitingFirstResponse.Count > 0) && time.GetUtcNow() - _lastStatsAt >= ClockRefresh)
            PushStats();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Asks every agent of the queue for their view now and then. The agents tell the queue of each change one way, and a
    /// node that dies takes such notices with it; worse, an agent grain that lived on it stays gone until something
    /// calls it, and only then does its grace period start and its chats come back if the agent never returns. This
    /// call is that something (and StandingGrains sees that this queue is active to make it), and it corrects the
    /// queue's view of every agent.
    /// </summary>
    private async Task RefreshAgents(CancellationToken cancellationToken)
    {
        await AskAgents();
        if (await DispatchWaiting())
            await RequestFlush();
    }

    /// <summary>
    /// Every serving agent's view, all at once and not for long: an agent grain on a node being evicted must not hold
    /// the queue up (nor its activation). One that does not answer is asked again at the next refresh.
    /// </summary>
    private async Task AskAgents()
    {
        var asked = _serving.Select(id => GrainFactory.GetGrain<IAgentGrain>(id).GetView().WaitAsync(TimeSpan.FromSeconds(2))).ToList();
        foreach (var answer in asked)
        {
            try
            {
                var view = await answer;
                _agents[view.AgentId] = view;
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex))
            {
                logger.LogDebug("Queue {Queue}: an agent did not answer, asked again at the next refresh: {Error}", Name, ex.Message);
            }
        }
    }

    /// <summary>Hands waiting chats to agents with room, if any; true when some were assigned.</summary>
    private async Task<bool> DispatchWaiting()
    {
        if (Waiting.Count == 0 || await Dispatch() is not { Count: > 0 } assigned)
            return false;
        foreach (var (entry, agent) in assigned)
            Notices.Add(PendingNotice.Assigned(entry.ConversationId, agent, requeuedFrom: null));
        await state.WriteStateAsync();
        _notices.Send();
        return true;
    }

    /// <summary>Tells every waiting conversation whose place or estimate changed, then the dashboard.</summary>
    private async Task Flush()
    {
        for (var i = 0; i < Waiting.Count; i++)
        {
            var id = Waiting[i].ConversationId;
            var place = (Position: i + 1, Estimate: EstimateWait(i + 1));
            if (_reported.TryGetValue(id, out var told) && told == place)
                continue;
            _reported[id] = place;
            await Conversation(id).Queued(place.Position, place.Estimate);
        }
        PushStats();
    }

    /// <summary>Sends the dashboard this queue's numbers when they differ from the last ones sent.</summary>
    private void PushStats()
    {
        var stats = Stats();
        _lastStatsAt = time.GetUtcNow();
        metrics.QueueLength(Name, stats.Waiting);
        if (stats == _lastStats)
            return;
        _lastStats = stats;
        GrainFactory.GetGrain<IDashboardGrain>(0).QueueChanged(stats).Ignore();
    }

    private QueueStats Stats()
    {
        var now = time.GetUtcNow();
        var sla = options.Value.Sla;
        foreach (var stale in _awaitingFirstResponse.Where(a => now - a.Value > ForgetAwaitingAfter).Select(a => a.Key).ToList())
            _awaitingFirstResponse.Remove(stale);

        var longest = Waiting.Count == 0 ? 0 : (int)(now - Waiting.Min(e => e.EnqueuedAt)).TotalSeconds;
        var online = _agents.Values.Where(a => a.Status == AgentStatus.Online).ToList();
        var free = online.Sum(a => Math.Max(0, a.MaxConversations - a.ActiveConversations));
        return new QueueStats(
            Name, Waiting.Count, longest, online.Count, free,
            AgentsAway: _agents.Values.Count(a => a.Status == AgentStatus.Away),
            AverageWaitSeconds: _recentWaits.Average(now),
            AverageFirstResponseSeconds: _recentFirstResponses.Average(now),
            WaitingPastSla: Waiting.Count(e => (now - e.EnqueuedAt).TotalSeconds > sla.WaitSeconds),
            AwaitingFirstResponse: _awaitingFirstResponse.Count,
            FirstResponsePastSla: _awaitingFirstResponse.Values.Count(at => (now - at).TotalSeconds > sla.FirstResponseSeconds),
            CsatAverage: state.State.Ratings == 0 ? null : Math.Round((double)state.State.RatingSum / state.State.Ratings, 2),
            Ratings: state.State.Ratings);
    }


    /// <summary>
    /// Seconds until a conversation at <paramref name="position"/> is likely taken: zero when free capacity could take
    /// it now; else the places beyond the free capacity (position − free) divided by the rate of assignments over the
    /// last 15 minutes (counted over at least one minute). Unknown (null) with fewer than two recent assignments.
    /// </summary>
    private int? EstimateWait(int position)
    {
        var now = time.GetUtcNow();
        var free = _agents.Values.Sum(a => a.HasFreeCapacity ? a.MaxConversations - a.ActiveConversations : 0);
        if (position <= free)
            return 0;
        var assignments = _recentWaits.Count(now);
        if (assignments < 2)
            return null;
        var seconds = Math.Max((now - _recentWaits.Oldest(now)!.Value).TotalSeconds, 60);
        var perSecond = assignments / seconds;
        return (int)Math.Ceiling((position - free) / perSecond);
    }

    private IConversationGrain Conversation(string id) => GrainFactory.GetGrain<IConversationGrain>(id);
}
