namespace LiveChat.Server.Routing;

/// <summary>Values recorded over the last span of time (15 minutes on the dashboard); older ones are dropped as it is read.</summary>
internal sealed class RecentWindow(TimeSpan span)
{
    private readonly Queue<(DateTimeOffset At, double Value)> _entries = new();

    public void Add(DateTimeOffset at, double value) => _entries.Enqueue((at, value));

    public int Count(DateTimeOffset now)
    {
        Trim(now);
        return _entries.Count;
    }

    /// <summary>When the oldest value still in the window was recorded, or null when it is empty.</summary>
    public DateTimeOffset? Oldest(DateTimeOffset now)
    {
        Trim(now);
        return _entries.Count == 0 ? null : _entries.Peek().At;
    }

    /// <summary>The average in whole units, or null when the window is empty.</summary>
    public int? Average(DateTimeOffset now)
    {
        Trim(now);
        return _entries.Count == 0 ? null : (int)Math.Round(_entries.Average(e => e.Value));
    }

    private void Trim(DateTimeOffset now)
    {
        while (_entries.Count > 0 && now - _entries.Peek().At > span)
            _entries.Dequeue();
    }
}
