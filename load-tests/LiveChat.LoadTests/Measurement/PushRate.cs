using System.Diagnostics;

namespace LiveChat.LoadTests.Measurement;

/// <summary>Pushes in a window of whole seconds: all of them, their average a second and the most in any one second.</summary>
public sealed record PushRateSummary(long Pushes, double PerSecond, long BusiestSecond);

/// <summary>
/// Pushes a whole crowd of clients received together, counted by the second (of the load generator's clock) they
/// arrived in, from a start the run sets. What a server sends its waiting visitors must stay bounded as the queue
/// moves; this shows whether it did. Seconds before the start or past the longest run are not counted.
/// </summary>
public sealed class PushRate(TimeSpan longest)
{
    private readonly long[] _perSecond = new long[(int)Math.Ceiling(longest.TotalSeconds) + 1];
    private long _start = long.MaxValue;

    /// <summary>Sets second 0 of the count, a Stopwatch timestamp; nothing counts before it.</summary>
    public void StartsAt(long timestamp) => Volatile.Write(ref _start, timestamp);

    public void Received()
    {
        var start = Volatile.Read(ref _start);
        var now = Stopwatch.GetTimestamp();
        if (now >= start && (now - start) / Stopwatch.Frequency is var second && second < _perSecond.Length)
            Interlocked.Increment(ref _perSecond[second]);
    }

    /// <summary>The count of each second from <paramref name="fromSecond"/> up to (not including) <paramref name="toSecond"/>.</summary>
    public IReadOnlyList<long> PerSecond(int fromSecond, int toSecond) =>
        Enumerable.Range(fromSecond, Math.Max(0, Math.Min(toSecond, _perSecond.Length) - fromSecond)).Select(s => Interlocked.Read(ref _perSecond[s])).ToList();

    public PushRateSummary Summarise(int fromSecond, int toSecond)
    {
        var seconds = PerSecond(fromSecond, toSecond);
        return seconds.Count == 0 ? new(0, 0, 0) : new(seconds.Sum(), seconds.Average(), seconds.Max());
    }
}
