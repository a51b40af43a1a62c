using System.Diagnostics;

namespace LiveChat.LoadTests.Measurement;

/// <summary>The open-loop clock: sends go out on schedule, never early, whatever the server's answers are doing.</summary>
public static class OpenLoop
{
    /// <summary>
    /// The Stopwatch timestamp of send <paramref name="index"/> at <paramref name="perSecond"/> sends a second from <paramref name="start"/>.
    /// </summary>
    public static long Schedule(long start, long index, int perSecond) => start + (long)(index * (double)Stopwatch.Frequency / perSecond);

    /// <summary>The arrivals a second that bring <paramref name="count"/> within <paramref name="within"/>: at least one.</summary>
    public static int PerSecond(int count, TimeSpan within) => Math.Max(1, (int)Math.Ceiling(count / within.TotalSeconds));

    /// <summary>The Stopwatch timestamp of the wall-clock moment <paramref name="at"/>: one schedule shared by processes.</summary>
    public static long TimestampOf(DateTimeOffset at) =>
        Stopwatch.GetTimestamp() + (long)((at - DateTimeOffset.UtcNow).TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// Waits until <paramref name="timestamp"/>. Never returns before it, so no latency is measured from a moment
    /// that had not come yet. A late return is fine: the sends that are due then go out at once.
    /// </summary>
    public static async Task WaitUntil(long timestamp, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp) is var wait && wait > TimeSpan.Zero)
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, cancellationToken);
    }
}
