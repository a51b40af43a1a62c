using LiveChat.Server.Notifications;
using LiveChat.Server.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// What the queue tells others, in rounds at most one per dashboard interval: waiting visitors whose place or estimate
/// changed, and the dashboard's figures; and what the figures are made of (answers, departures, ratings).
/// </summary>
public sealed partial class QueueGrain
{
    // While anyone waits, the dashboard's waits and breaches grow by themselves: refreshed this often.
    private static readonly TimeSpan ClockRefresh = TimeSpan.FromSeconds(1);

    // How long the line must stand still before everyone hears their exact place.
    private static readonly TimeSpan SettleAfter = TimeSpan.FromSeconds(2);

    private Coalescer _rounds = null!;
    private IGrainTimer? _settle;
    private QueueStats? _lastStats;
    private (bool Online, bool Accepting, string? Reason)? _lastAvailability;
    private DateTimeOffset _lastAvailabilityAt;
    private IGrainTimer? _availabilityLater;

    // The shortest time between two availability pushes to every visitor.
    private static readonly TimeSpan AvailabilitySpacing = TimeSpan.FromSeconds(2);
    private DateTimeOffset _lastStatsAt;

    private TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.DashboardIntervalMilliseconds);

    public async Task Responded(string conversationId, double? firstResponseSeconds)
    {
        if (firstResponseSeconds is { } seconds)
            metrics.FirstResponse(Name, seconds);
        if (_figures.Responded(conversationId, firstResponseSeconds, time.GetUtcNow()))
            await RequestRound();
    }

    public async Task Abandoned()
    {
        _figures.Abandoned(time.GetUtcNow());
        await RequestRound();
    }

    public async Task Left(string conversationId)
    {
        if (_figures.NoLongerOwed(conversationId))
            await RequestRound();
    }

    public async Task Rated(int score, int? previousScore)
    {
        var ratings = new QueueRatings(state.State.Ratings, state.State.RatingSum).With(score, previousScore);
        (state.State.Ratings, state.State.RatingSum) = (ratings.Count, ratings.Sum);
        await state.WriteStateAsync();
        await RequestRound();
    }

    /// <summary>Waiting visitors hear their (possibly new) estimates, and the dashboard this queue's numbers, an interval after activation.</summary>
    private async Task StartRounds()
    {
        this.RegisterGrainTimer(OnTick, new GrainTimerCreationOptions { DueTime = Interval, Period = Interval });
        _rounds = Coalescer.ForGrain(this, time, Interval, Round, lastRun: time.GetUtcNow());
        await _rounds.Request();
    }

    /// <summary>Something changed: waiting visitors' places and the dashboard's numbers go out in the next round.</summary>
    private Task RequestRound() => _rounds.Request();

    /// <summary>While anyone waits or is owed an answer, the dashboard's waits and breaches grow by themselves.</summary>
    private Task OnTick(CancellationToken cancellationToken)
    {
        if (!_rounds.IsPending && (Line.Count > 0 || _figures.AnyAwaitingFirstResponse) && time.GetUtcNow() - _lastStatsAt >= ClockRefresh)
            PushStats();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Tells the waiting conversations whose place or estimate changed noticeably (see <see cref="PlaceReports"/>), at
    /// most <see cref="LiveChatOptions.PlaceUpdatesPerSecond"/> beyond the first places, then the dashboard. News left
    /// for later asks for the next round.
    /// </summary>
    private async Task Round()
    {
        var round = await TellPlaces(exact: false);
        PushStats();
        if (round.MoreToTell)
            await RequestRound();
        // Once the line has stood still a moment, everyone hears their exact place.
        _settle?.Dispose();
        _settle = round.Inexact
            ? this.RegisterGrainTimer(Settle, new GrainTimerCreationOptions { DueTime = SettleAfter, Period = Timeout.InfiniteTimeSpan })
            : null;
    }

    private async Task Settle(CancellationToken cancellationToken)
    {
        _settle?.Dispose();
        _settle = null;
        if ((await TellPlaces(exact: true)).Inexact)
            _settle = this.RegisterGrainTimer(Settle, new GrainTimerCreationOptions { DueTime = Interval, Period = Timeout.InfiniteTimeSpan });
    }

    private async Task<PlaceReports.Round> TellPlaces(bool exact)
    {
        var budget = (int)Math.Max(1, options.Value.PlaceUpdatesPerSecond * Interval.TotalSeconds);
        var round = _told.Next(Line.WithPositions(), Estimator(), budget, exact);
        foreach (var (conversationId, position, estimate) in round.ToTell)
            await Conversation(conversationId).Queued(position, estimate);
        return round;
    }

    /// <summary>
    /// Tells every open widget when whether this queue takes chats changed (someone came online, everyone left, it
    /// filled up or has room again): once per change, not per figure, and at most once per
    /// <see cref="AvailabilitySpacing"/>, since a queue at its cap or its long-wait threshold may cross it every round:
    /// a change within it goes out when it is over, if it still holds.
    /// </summary>
    private void PushAvailability()
    {
        var availability = Availability();
        var state = (availability.Online, availability.Accepting, availability.Reason);
        if (state == _lastAvailability)
            return;
        var now = time.GetUtcNow();
        if (_lastAvailability is not null && now - _lastAvailabilityAt < AvailabilitySpacing)
        {
            _availabilityLater ??= this.RegisterGrainTimer(_ =>
            {
                _availabilityLater?.Dispose();
                _availabilityLater = null;
                PushAvailability();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions { DueTime = _lastAvailabilityAt + AvailabilitySpacing - now, Period = Timeout.InfiniteTimeSpan });
            return;
        }
        var first = _lastAvailability is null;
        (_lastAvailability, _lastAvailabilityAt) = (state, now);
        // An activation's first figure is news to nobody: widgets asked when they opened.
        if (!first)
            notifier.AllVisitors().AvailabilityChanged(availability).Ignore();
    }

    /// <summary>Sends the dashboard this queue's numbers when they differ from the last ones sent.</summary>
    private void PushStats()
    {
        PushAvailability();
        var stats = Stats();
        _lastStatsAt = time.GetUtcNow();
        metrics.QueueLength(Name, stats.Waiting);
        if (stats == _lastStats)
            return;
        _lastStats = stats;
        GrainFactory.GetGrain<IDashboardGrain>(0).QueueChanged(stats).Ignore();
    }

    private QueueStats Stats() => _figures.Stats(
        Name, Line, _agents.Values, new QueueRatings(state.State.Ratings, state.State.RatingSum), options.Value.Sla, time.GetUtcNow());
}
