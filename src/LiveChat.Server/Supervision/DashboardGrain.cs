using LiveChat.Server.Notifications;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Supervision;

/// <summary>
/// The supervisors' snapshot of the floor. Queue and agent grains send it their own numbers when they change (one
/// way, so they never wait on it); it keeps the latest of each and pushes <c>DashboardUpdated</c> to the supervisors'
/// group: at once after a quiet interval, else once at the end of it, so a burst of changes costs one push per
/// interval whatever the load. It never looks at conversations. Kept alive: the snapshot lives in memory and is
/// rebuilt from the queues and agents on activation.
/// </summary>
[KeepAlive]
public sealed class DashboardGrain(
    IOptions<LiveChatOptions> options,
    INotifier notifier,
    TimeProvider time,
    ILogger<DashboardGrain> logger) : Grain, IDashboardGrain
{
    private readonly Dictionary<string, QueueStats> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentView> _agents = new(StringComparer.Ordinal);
    // The chart's points: every queue's numbers once per SampleEvery, the last HistoryLength of them, in memory only.
    private readonly Queue<QueueSample[]> _history = new();
    private Coalescer _pushes = null!;

    public static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan HistoryLength = TimeSpan.FromMinutes(30);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _pushes = Coalescer.ForGrain(this, time, TimeSpan.FromMilliseconds(options.Value.DashboardIntervalMilliseconds), Push);
        var queues = await Task.WhenAll(options.Value.AllQueues.Select(q => GrainFactory.GetGrain<IQueueGrain>(q).GetStats()));
        var agents = await Task.WhenAll(options.Value.Users.Select(u => GrainFactory.GetGrain<IAgentGrain>(u.Username.ToLowerInvariant()).GetView()));
        // A report that arrived while these answers were on their way is newer: keep it.
        foreach (var queue in queues)
            _queues.TryAdd(queue.Name, queue);
        foreach (var agent in agents)
            _agents.TryAdd(agent.AgentId, agent);
        this.RegisterGrainTimer(Sample, new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = SampleEvery });
    }

    public Task Wake() => Task.CompletedTask;

    public Task<DashboardView> GetDashboard() => Task.FromResult(Snapshot(time.GetUtcNow()));

    public Task<IReadOnlyList<QueueSample>> GetHistory() =>
        Task.FromResult<IReadOnlyList<QueueSample>>(_history.SelectMany(s => s).ToList());

    private Task Sample()
    {
        var at = time.GetUtcNow();
        _history.Enqueue(Snapshot(at).Queues.Select(q => new QueueSample(at, q.Name, q.Waiting, q.LongestWaitSeconds, q.AverageWaitSeconds)).ToArray());
        while (_history.Count > 0 && _history.Peek()[0].At < at - HistoryLength)
            _history.Dequeue();
        return Task.CompletedTask;
    }

    public Task AgentChanged(AgentView agent)
    {
        if (_agents.TryGetValue(agent.AgentId, out var known) && known == agent)
            return Task.CompletedTask;
        _agents[agent.AgentId] = agent;
        return _pushes.Request();
    }

    public Task QueueChanged(QueueStats queue)
    {
        if (!options.Value.IsQueue(queue.Name))
            return Task.CompletedTask;
        _queues[queue.Name] = queue;
        return _pushes.Request();
    }

    private async Task Push()
    {
        try
        {
            // Stamped with the time the interval counts from, so two pushes' stamps are never closer than the interval.
            await notifier.Supervisors().DashboardUpdated(Snapshot(_pushes.LastRun));
        }
        catch (Exception ex)
        {
            // The next change pushes again; supervisors can also ask with GetDashboard.
            logger.LogWarning(ex, "Dashboard push failed");
        }
    }

    private DashboardView Snapshot(DateTimeOffset at)
    {
        var queues = options.Value.AllQueues.Select(q => _queues.GetValueOrDefault(q) ?? new QueueStats(q, 0, 0, 0, 0)).ToList();
        var agents = _agents.Values.OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase).ThenBy(a => a.AgentId, StringComparer.Ordinal).ToList();
        var ratings = queues.Sum(q => q.Ratings);
        var csat = ratings == 0 ? (double?)null : Math.Round(queues.Sum(q => (q.CsatAverage ?? 0) * q.Ratings) / ratings, 2);
        var sla = options.Value.Sla;
        return new DashboardView(
            queues, agents, agents.Sum(a => a.ActiveConversations), at,
            csat, ratings, queues.Sum(q => q.SlaBreaches), new SlaView(sla.WaitSeconds, sla.FirstResponseSeconds));
    }
}
