namespace LiveChat.Server.Visitors;

/// <summary>
/// Whether the visitor is there: their open connections, each with when its node last vouched for it (see
/// VisitorPresenceTracker), kept in memory as an agent's are. With none left, the grace starts; past it the visitor is
/// gone, and their open conversations hear so (a waiting one leaves its queue as abandoned, so no agent is handed a
/// chat nobody reads). Back within the grace, nothing changed but what the agent saw (<see cref="VisitorPresence.Away"/>).
/// </summary>
public sealed partial class VisitorGrain
{
    private readonly Dictionary<string, DateTimeOffset> _connections = new(StringComparer.Ordinal);
    private VisitorPresence _presence = VisitorPresence.Here;
    // Whether this activation told the conversations anything yet: the first connection it sees is news to them, as
    // they may have heard the visitor was gone from the activation before.
    private bool _toldAny;
    private IGrainTimer? _grace;
    private IGrainTimer? _leases;

    public async Task Connected(string connectionId)
    {
        _connections[connectionId] = time.GetUtcNow();
        await Present();
    }

    public async Task<bool> Arrived(string connectionId)
    {
        if (!NothingToWatch)
        {
            await Connected(connectionId);
            return true;
        }
        // Nothing kept for the connection: no lease, no renewals. Unless a conversation starts meanwhile, the activation
        // goes a moment later: soon enough that it is not kept through the collector's young generations (an idle
        // connection measured 31 KB with a second, 35.6 with 30 s, docs/performance.md), late enough for the visitor who
        // starts a chat as soon as the widget connects. A later start activates it again (one read).
        _release ??= this.RegisterGrainTimer(ReleaseIfIdle, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.FromSeconds(options.Value.VisitorIdleReleaseSeconds),
            Period = Timeout.InfiniteTimeSpan,
        });
        return false;
    }

    private IGrainTimer? _release;

    /// <summary>No conversation (nor one being started), no connection known, no grace running: presence means nothing yet.</summary>
    private bool NothingToWatch => S.Conversations.Count == 0 && S.Starting is null && _connections.Count == 0 && _grace is null;

    private Task ReleaseIfIdle(CancellationToken cancellationToken)
    {
        _release?.Dispose();
        _release = null;
        if (NothingToWatch)
            this.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task Disconnected(string connectionId)
    {
        if (_connections.Remove(connectionId) && _connections.Count == 0)
            await Absent();
    }

    public async Task Renew(IReadOnlyList<string> connectionIds)
    {
        var now = time.GetUtcNow();
        foreach (var id in connectionIds)
            _connections[id] = now;
        if (connectionIds.Count > 0)
            await Present();
    }

    public async Task Watch()
    {
        // Activated afresh (its node died, or it was collected) with no node yet vouching for a connection: as if the
        // last one had dropped. A node that holds one renews it within a round, which ends the grace.
        if (_connections.Count == 0 && _grace is null && _presence != VisitorPresence.Gone)
            await Absent(tell: false);
    }

    /// <summary>A connection is open: the grace ends, and the conversations hear the visitor is back if they were told otherwise.</summary>
    private async Task Present()
    {
        _grace?.Dispose();
        _grace = null;
        _leases ??= this.RegisterGrainTimer(DropLapsedConnections, new GrainTimerCreationOptions { DueTime = LeaseLength, Period = LeaseLength });
        if (_presence == VisitorPresence.Here && _toldAny)
            return;
        _presence = VisitorPresence.Here;
        await TellConversations();
    }

    /// <summary>No connection is open: the grace starts, kept alive until it ends.</summary>
    private async Task Absent(bool tell = true)
    {
        _leases?.Dispose();
        _leases = null;
        _grace?.Dispose();
        _grace = this.RegisterGrainTimer(GraceOver, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.FromSeconds(options.Value.VisitorGraceSeconds),
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
        _presence = VisitorPresence.Away;
        if (tell)
            await TellConversations();
    }

    private async Task GraceOver(CancellationToken cancellationToken)
    {
        _grace?.Dispose();
        _grace = null;
        if (_connections.Count > 0)
            return;
        _presence = VisitorPresence.Gone;
        logger.LogInformation("Visitor {VisitorId} is gone: no connection for {Grace} s", Id, options.Value.VisitorGraceSeconds);
        await TellConversations();
    }

    /// <summary>Connections whose node has not vouched for them for three rounds are gone with their node.</summary>
    private async Task DropLapsedConnections(CancellationToken cancellationToken)
    {
        var lapsed = time.GetUtcNow() - LeaseLength;
        foreach (var id in _connections.Where(c => c.Value < lapsed).Select(c => c.Key).ToList())
            _connections.Remove(id);
        if (_connections.Count == 0)
            await Absent();
    }

    private TimeSpan LeaseLength => TimeSpan.FromSeconds(3 * options.Value.PresenceRenewSeconds);

    /// <summary>Each queue's latest conversation may be open (one per queue); a closed one ignores the news.</summary>
    private Task TellConversations()
    {
        _toldAny = true;
        return Task.WhenAll(S.Conversations
            .GroupBy(c => c.Queue)
            .Select(g => Conversation(g.Last().ConversationId).VisitorPresenceChanged(_presence)));
    }
}
