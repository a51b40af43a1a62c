namespace LiveChat.LoadTests.Measurement;

/// <summary>How often one supervisor's dashboard was pushed within a window, by the server's time of each push.</summary>
/// <param name="ShortestGapMs">The shortest time between two pushes; null with fewer than two.</param>
/// <param name="OutOfOrder">Pushes that arrived after a later one (a dashboard going back in time), over the whole run.</param>
public sealed record PushSummary(long Pushes, double MeanPerSecond, int BusiestSecond, double? ShortestGapMs, long OutOfOrder);

/// <summary>
/// The dashboard pushes one supervisor received, by <c>DashboardView.at</c>, the server's time of each push. The
/// server's clock is what its coalescing keeps to, so counting by it leaves out the jitter of the way to the client.
/// </summary>
public sealed class PushLog
{
    private readonly List<DateTimeOffset> _at = [];
    private readonly Lock _lock = new();
    private long _outOfOrder;

    public void Received(DateTimeOffset at)
    {
        lock (_lock)
        {
            if (_at.Count > 0 && at < _at[^1])
                _outOfOrder++;
            _at.Add(at);
        }
    }

    /// <summary>
    /// The pushes made from <paramref name="from"/> for <paramref name="window"/>: their mean rate, the most within any
    /// one second (a sliding second starting at each push) and the shortest gap between two of them.
    /// </summary>
    public PushSummary Summarise(DateTimeOffset from, TimeSpan window)
    {
        List<DateTimeOffset> at;
        long outOfOrder;
        lock (_lock)
        {
            at = _at.Where(t => t >= from && t < from + window).Order().ToList();
            outOfOrder = _outOfOrder;
        }
        var busiest = 0;
        for (int first = 0, last = 0; first < at.Count; first++)
        {
            while (last < at.Count && at[last] < at[first].AddSeconds(1))
                last++;
            busiest = Math.Max(busiest, last - first);
        }
        double? shortest = at.Count < 2 ? null : at.Zip(at.Skip(1), (a, b) => (b - a).TotalMilliseconds).Min();
        return new PushSummary(at.Count, at.Count / window.TotalSeconds, busiest, shortest, outOfOrder);
    }
}
