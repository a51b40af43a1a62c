using LiveChat.Contracts;
using LiveChat.Server.Options;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Grains;

/// <summary>
/// Waiting conversations in arrival order and the agents serving the queue. Assignment happens only here, one
/// request at a time, and each slot is taken through the agent grain itself, so an agent's limit holds even when
/// the agent serves several queues.
/// Conversations and agents are told of decisions by one-way calls: they call this grain, and waiting on them
/// in return could close a cycle of grains waiting on each other.
/// </summary>
public sealed class QueueGrain(
    [PersistentState(StorageNames.QueueState, StorageNames.Grains)] IPersistentState<QueueState> state,
    IOptions<LiveChatOptions> options,
    TimeProvider time,
    ILogger<QueueGrain> logger) : Grain, IQueueGrain
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(15);

    // Agents' status and load as last reported; a cache, rebuilt from the agent grains on activation.
    private readonly Dictionary<string, AgentView> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastAssignedAt = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _recentAssignments = new();
    private readonly Dictionary<string, int> _reportedPositions = new(StringComparer.Ordinal);
    private HashSet<string> _serving = [];

    private string Name => this.GetPrimaryKeyString();
    private List<QueueEntry> Waiting => state.State.Waiting;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _serving = options.Value.UsersServing(Name).Select(u => u.Username.ToLowerInvariant()).ToHashSet();
        var views = await Task.WhenAll(_serving.Select(id => GrainFactory.GetGrain<IAgentGrain>(id).GetView()));
        foreach (var view in views)
            _agents[view.AgentId] = view;
        foreach (var (entry, index) in Waiting.Select((e, i) => (e, i)))
            _reportedPositions[entry.ConversationId] = index + 1;
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
        await state.WriteStateAsync();

        var own = assigned.Find(a => a.Entry.ConversationId == entry.ConversationId);
        await Announce(assigned.Where(a => a.Entry != own.Entry), except: entry.ConversationId);
        if (own.Agent is not null)
            return new QueueTicket(own.Agent, 0, null);
        _reportedPositions[entry.ConversationId] = PositionOf(entry.ConversationId);
        return PlaceOf(entry.ConversationId)!;
    }

    public async Task<bool> Remove(string conversationId)
    {
        var removed = Waiting.RemoveAll(e => e.ConversationId == conversationId) > 0;
        _reportedPositions.Remove(conversationId);
        if (removed)
        {
            await state.WriteStateAsync();
            await Announce([], except: conversationId);
        }
        return removed;
    }

    public Task<QueueTicket?> GetPlace(string conversationId) => Task.FromResult(PlaceOf(conversationId));

    public Task<QueueStats> GetStats()
    {
        var now = time.GetUtcNow();
        var longest = Waiting.Count == 0 ? 0 : (int)(now - Waiting.Min(e => e.EnqueuedAt)).TotalSeconds;
        var online = _agents.Values.Where(a => a.Status == AgentStatus.Online).ToList();
        var free = online.Sum(a => Math.Max(0, a.MaxConversations - a.ActiveConversations));
        return Task.FromResult(new QueueStats(Name, Waiting.Count, longest, online.Count, free));
    }

    public async Task ReturnToQueue(string fromAgentId, IReadOnlyList<QueueEntry> entries)
    {
        var returned = entries.Where(e => PositionOf(e.ConversationId) == 0).ToList();
        Waiting.InsertRange(0, returned);
        var assigned = await Dispatch();
        await state.WriteStateAsync();

        var returnedIds = returned.Select(e => e.ConversationId).ToHashSet();
        foreach (var (entry, agent) in assigned)
            await Conversation(entry.ConversationId).OnAssigned(agent, returnedIds.Contains(entry.ConversationId) ? fromAgentId : null);
        foreach (var entry in returned.Where(e => assigned.All(a => a.Entry != e)))
        {
            var position = Waiting.IndexOf(entry) + 1;
            _reportedPositions[entry.ConversationId] = position;
            await Conversation(entry.ConversationId).OnQueued(position, EstimateWait(position), fromAgentId);
        }
        await Announce([], except: null, skip: returnedIds);
    }

    public async Task AgentChanged(AgentView agent)
    {
        // Only agents configured for this queue take its chats, whatever conversations they happen to hold.
        if (!_serving.Contains(agent.AgentId))
            return;
        _agents[agent.AgentId] = agent;
        if (!agent.HasFreeCapacity || Waiting.Count == 0)
            return;
        var assigned = await Dispatch();
        if (assigned.Count == 0)
            return;
        await state.WriteStateAsync();
        await Announce(assigned, except: null);
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
            _reportedPositions.Remove(head.ConversationId);
            var now = time.GetUtcNow();
            _lastAssignedAt[candidate.AgentId] = now;
            _recentAssignments.Enqueue(now);
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

    /// <summary>Tells the newly assigned conversations, then every waiting one whose place changed.</summary>
    private async Task Announce(IEnumerable<(QueueEntry Entry, AgentView Agent)> assigned, string? except, IReadOnlySet<string>? skip = null)
    {
        foreach (var (entry, agent) in assigned)
            await Conversation(entry.ConversationId).OnAssigned(agent, null);
        for (var i = 0; i < Waiting.Count; i++)
        {
            var id = Waiting[i].ConversationId;
            if (id == except || (skip?.Contains(id) ?? false) || _reportedPositions.GetValueOrDefault(id) == i + 1)
                continue;
            _reportedPositions[id] = i + 1;
            await Conversation(id).OnQueued(i + 1, EstimateWait(i + 1), null);
        }
    }

    /// <summary>
    /// Seconds until a conversation at <paramref name="position"/> is likely taken: position divided by the rate of
    /// assignments over the last 15 minutes (counted over at least one minute). Unknown (null) with fewer than two
    /// recent assignments; zero when free capacity could take it now.
    /// </summary>
    private int? EstimateWait(int position)
    {
        var now = time.GetUtcNow();
        while (_recentAssignments.Count > 0 && now - _recentAssignments.Peek() > RateWindow)
            _recentAssignments.Dequeue();
        var free = _agents.Values.Sum(a => a.HasFreeCapacity ? a.MaxConversations - a.ActiveConversations : 0);
        if (position <= free)
            return 0;
        if (_recentAssignments.Count < 2)
            return null;
        var seconds = Math.Max((now - _recentAssignments.Peek()).TotalSeconds, 60);
        var perSecond = _recentAssignments.Count / seconds;
        return (int)Math.Ceiling((position - free) / perSecond);
    }

    private IConversationGrain Conversation(string id) => GrainFactory.GetGrain<IConversationGrain>(id);
}

[GenerateSerializer, Alias("QueueState")]
public sealed class QueueState
{
    [Id(0)] public List<QueueEntry> Waiting { get; set; } = [];
}
