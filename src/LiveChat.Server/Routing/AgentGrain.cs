using LiveChat.Server.Notifications;
using LiveChat.Server.Options;
using LiveChat.Server.Reliability;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// An agent's status, capacity and open chats, and the one authority on their load: a slot is taken only by
/// <see cref="TryReserve"/>, one request at a time. Presence (connection ids) is kept in memory, so the grain is
/// kept alive rather than collected while idle; activated afresh (after a restart, or when Orleans lost the
/// activation with a node) an Online agent has no connections and gets the grace period to reconnect, or to be
/// renewed by the nodes that hold their connections, before their chats go back to the queue.
/// This grain waits on nothing but its storage; it tells queues and the dashboard of changes by one-way calls, and
/// hands chats back to a queue by its outbox.
/// </summary>
[KeepAlive]
public sealed class AgentGrain(
    [PersistentState(StorageNames.AgentState, StorageNames.Grains)] IPersistentState<AgentState> state,
    IOptions<LiveChatOptions> options,
    INotifier notifier,
    TimeProvider time,
    ILogger<AgentGrain> logger) : Grain, IAgentGrain, IOutboxOwner
{
    // Each connection with when its node last vouched for it; see Renew.
    private readonly Dictionary<string, DateTimeOffset> _connections = new(StringComparer.Ordinal);
    private readonly RecentWindow _firstResponses = new(TimeSpan.FromMinutes(15));
    private UserOptions? _user;
    private IGrainTimer? _graceTimer;
    private IGrainTimer? _leaseTimer;
    private Outbox<PendingHandBack> _handBacks = null!;

    private string? _id;

    private string Id => _id ??= this.GetPrimaryKeyString();
    private AgentState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _user = options.Value.FindUser(Id);
        if (_user is not null && HoldsOrTakesChats)
            StartGraceTimer();
        // Hand-backs the last activation had not seen arrive (its node died, or it was deactivated) go on from here.
        _handBacks = Outbox<PendingHandBack>.For(this, () => S.HandBacks, HandBack, time, logger);
        _handBacks.Send();
        return Task.CompletedTask;
    }

    public Task<AgentView> Connect(string connectionId)
    {
        Present([connectionId]);
        return Task.FromResult(View());
    }

    public Task Disconnect(string connectionId)
    {
        if (_connections.Remove(connectionId) && _connections.Count == 0)
            LastConnectionGone();
        return Task.CompletedTask;
    }

    public Task Renew(IReadOnlyList<string> connectionIds)
    {
        Present(connectionIds);
        return Task.CompletedTask;
    }

    private void Present(IEnumerable<string> connectionIds)
    {
        var now = time.GetUtcNow();
        foreach (var id in connectionIds)
            _connections[id] = now;
        _graceTimer?.Dispose();
        _graceTimer = null;
        // While connections count, this timer lets lapse those whose node stopped renewing them (it died).
        _leaseTimer ??= this.RegisterGrainTimer(DropLapsed, new GrainTimerCreationOptions { DueTime = RenewInterval, Period = RenewInterval });
    }

    private TimeSpan RenewInterval => TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds);

    private Task DropLapsed(CancellationToken cancellationToken)
    {
        var lapsedBefore = time.GetUtcNow() - 3 * RenewInterval;
        foreach (var (id, _) in _connections.Where(c => c.Value < lapsedBefore).ToList())
        {
            _connections.Remove(id);
            logger.LogInformation("Agent {AgentId}: connection {ConnectionId} lapsed (its node stopped renewing it)", Id, id);
        }
        if (_connections.Count == 0)
            LastConnectionGone();
        return Task.CompletedTask;
    }

    private void LastConnectionGone()
    {
        _leaseTimer?.Dispose();
        _leaseTimer = null;
        if (HoldsOrTakesChats)
            StartGraceTimer();
    }

    /// <summary>
    /// Online, or holding chats whatever the status (a supervisor who took one over): then a missing connection starts
    /// the grace period, and when it runs out the chats go back to their queues.
    /// </summary>
    private bool HoldsOrTakesChats => S.Status != AgentStatus.Offline || S.Active.Count > 0;

    public Task<AgentView> SetStatus(AgentStatus status)
    {
        if (_user is null)
            throw new ChatRuleException($"unknown agent: {Id}");
        return ChangeStatus(status);
    }

    public Task<AgentView> GetView() => Task.FromResult(View());

    public Task<IReadOnlyList<string>> GetConversationIds() =>
        Task.FromResult<IReadOnlyList<string>>(S.Active.Select(c => c.ConversationId).ToList());

    public Task<AgentReport> ReportTo(string queue) =>
        Task.FromResult(new AgentReport(View(), S.Active.Where(c => c.Queue == queue).Select(c => c.ConversationId).ToList()));

    public async Task<IReadOnlyList<ConversationView>> GetConversations() =>
        await Task.WhenAll(S.Active.Select(c => GrainFactory.GetGrain<IConversationGrain>(c.ConversationId).Peek()));

    public async Task<Reservation> TryReserve(string conversationId, string queue, DateTimeOffset firstWaitedAt)
    {
        if (S.Active.Exists(c => c.ConversationId == conversationId))
            return new Reservation(true, View(), null);
        var refusal = _user is null ? "unknown agent"
            : S.Status != AgentStatus.Online ? $"{_user.Name} is {S.Status.ToString().ToLowerInvariant()}"
            : Counted >= MaxConversations ? $"{_user.Name} has no free capacity ({Counted} / {MaxConversations})"
            : null;
        if (refusal is not null)
            return new Reservation(false, View(), refusal);

        S.Active.Add(new ActiveChat(conversationId, queue, firstWaitedAt));
        await state.Save(this);
        // The asking queue knows from the answer; the other queues hear it so they do not count on this slot.
        await ReportView(except: queue);
        return new Reservation(true, View(), null);
    }

    public async Task<AgentView> Claim(string conversationId, string queue, DateTimeOffset firstWaitedAt)
    {
        if (_user is null)
            throw new ChatRuleException($"unknown agent: {Id}");
        if (S.Active.Exists(c => c.ConversationId == conversationId))
            return View();
        S.Active.Add(new ActiveChat(conversationId, queue, firstWaitedAt));
        await state.Save(this);
        // Taken over from the dashboard: the supervisor chats from the agent console, and has the grace period to open it.
        if (_connections.Count == 0)
            StartGraceTimer();
        await ReportView(except: null);
        return View();
    }

    public async Task<AgentView> SetMaxConversations(int? maxConversations)
    {
        if (_user is null)
            throw new ChatRuleException($"unknown agent: {Id}");
        if (maxConversations is < 0 or > 100)
            throw new ChatRuleException($"a limit must be from 0 to 100 conversations, not {maxConversations}");
        S.MaxConversationsOverride = maxConversations == _user.MaxConversations ? null : maxConversations;
        await state.Save(this);
        logger.LogInformation("Agent {AgentId} now takes up to {Max} conversations", Id, MaxConversations);
        await ReportView(except: null);
        await TellAgent();
        return View();
    }

    public async Task FirstResponded(double seconds)
    {
        _firstResponses.Add(time.GetUtcNow(), seconds);
        await ReportView(except: null, queuesToo: false);
    }

    public async Task SetIdle(string conversationId, bool idle)
    {
        var index = S.Active.FindIndex(c => c.ConversationId == conversationId);
        if (index < 0 || S.Active[index].Idle == idle)
            return;
        S.Active[index] = S.Active[index] with { Idle = idle };
        await state.Save(this);
        logger.LogInformation("Agent {AgentId}: chat {ConversationId} {Counts} against the limit", Id, conversationId, idle ? "no longer counts" : "counts again");
        // A slot freed goes to the next waiting chat at once.
        await ReportView(except: null);
        await TellAgent();
    }

    public async Task Release(string conversationId)
    {
        if (S.Active.RemoveAll(c => c.ConversationId == conversationId) == 0)
            return;
        await state.Save(this);
        await ReportView(except: null);
    }

    private async Task<AgentView> ChangeStatus(AgentStatus status)
    {
        if (status == S.Status && (status == AgentStatus.Online || S.Active.Count == 0))
            return View();
        S.Status = status;
        // Set Online by a supervisor while not connected: the grace period applies as if the last connection had dropped.
        if (status == AgentStatus.Online && _connections.Count == 0)
            StartGraceTimer();
        // Away or Offline: nobody answers these chats any more, so they go back to the head of their queues.
        var returned = status == AgentStatus.Online ? [] : S.Active.ToList();
        // Stored with the chats' release in one write, so they reach their queue even if this node dies before they do.
        var now = time.GetUtcNow();
        var handBacks = returned.GroupBy(c => c.Queue)
            .Select(byQueue => new PendingHandBack($"hb_{Guid.NewGuid():N}", byQueue.Key, byQueue.Select(c => new QueueEntry(c.ConversationId, now, c.FirstWaitedAt)).ToList()))
            .ToList();
        if (status != AgentStatus.Online)
            S.Active.Clear();
        S.HandBacks.AddRange(handBacks);
        await state.Save(this);
        logger.LogInformation("Agent {AgentId} is {Status}; {Count} chats go back to the queue", Id, status, returned.Count);

        _handBacks.Send();
        await ReportView(except: null);
        await TellAgent();
        return View();
    }

    /// <summary>
    /// Gives chats back to their queue, by the outbox (see <see cref="Outbox{T}"/>): the queue calls agents while it
    /// dispatches, and a chat whose hand-back was lost would stay with nobody. The queue knows a hand-back it took by its id.
    /// </summary>
    private Task HandBack(PendingHandBack handBack) =>
        GrainFactory.GetGrain<IQueueGrain>(handBack.Queue).ReturnToQueue(Id, handBack.Id, handBack.Entries);

    /// <summary>A queue has the chats handed back: struck from the outbox in a turn of its own.</summary>
    async Task IOutboxOwner.Delivered(string handBackId)
    {
        if (S.HandBacks.RemoveAll(h => h.Id == handBackId) > 0)
            await state.Save(this);
    }

    private void StartGraceTimer()
    {
        _graceTimer?.Dispose();
        _graceTimer = this.RegisterGrainTimer(OnGraceExpired, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.FromSeconds(options.Value.AwayGraceSeconds),
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    private async Task OnGraceExpired(CancellationToken cancellationToken)
    {
        _graceTimer?.Dispose();
        _graceTimer = null;
        // An Online agent becomes Away; whoever else still holds chats (a supervisor who took one over) keeps their status.
        if (_connections.Count == 0 && (S.Status == AgentStatus.Online || S.Active.Count > 0))
            await ChangeStatus(S.Status == AgentStatus.Online ? AgentStatus.Away : S.Status);
    }

    /// <summary>Tells the agent's queues (but <paramref name="except"/>) and the dashboard of the agent's new view.</summary>
    private async Task ReportView(string? except, bool queuesToo = true)
    {
        if (_user is null)
            return;
        var view = View();
        if (queuesToo)
        {
            foreach (var queue in options.Value.QueuesOf(_user).Where(q => q != except))
                await GrainFactory.GetGrain<IQueueGrain>(queue).AgentChanged(view);
        }
        await GrainFactory.GetGrain<IDashboardGrain>(0).AgentChanged(view);
    }

    /// <summary>Shows the agent their own status and limit, which a supervisor or the grace period may have changed.</summary>
    private async Task TellAgent()
    {
        try
        {
            await notifier.Agent(Id).AgentUpdated(View());
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not tell agent {AgentId} of their new status", Id);
        }
    }

    /// <summary>The configured limit, unless a supervisor has set another one.</summary>
    private int MaxConversations => S.MaxConversationsOverride ?? _user?.MaxConversations ?? 0;

    /// <summary>The chats that count against the limit: all but those whose visitor is gone (see <see cref="SetIdle"/>).</summary>
    private int Counted => S.Active.Count(c => !c.Idle);

    private AgentView View() => new(Id, _user?.Name ?? Id, S.Status, Counted, MaxConversations, _firstResponses.Average(time.GetUtcNow()));
}
