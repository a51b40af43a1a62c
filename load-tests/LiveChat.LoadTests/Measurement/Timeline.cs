using System.Diagnostics;

namespace LiveChat.LoadTests.Measurement;

/// <summary>
/// One slice of a <see cref="Timeline"/>: rates per second, how late the load generator issued its sends (an open
/// loop's lag behind its clock), and the delivery latency of the messages sent in it.
/// </summary>
public sealed record TimelinePoint(double FromSecond, double ToSecond, double SentPerSecond, double DeliveredPerSecond, long Failed,
    double SendLagP99Ms, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// The measured window cut into at most <c>maxSlices</c> slices of whole seconds: how many messages were sent and
/// delivered in each slice, and how long the messages sent in each took to arrive. Under a ramp it shows at what
/// rate latency turned; after a restart, how long the first slow seconds last.
/// </summary>
public sealed class Timeline
{
    private long _start = long.MaxValue;
    private readonly long _sliceTicks;
    private readonly double _measuredSeconds;
    private readonly Slice[] _slices;

    public Timeline(TimeSpan measured, int maxSlices = 20)
    {
        _measuredSeconds = measured.TotalSeconds;
        SliceSeconds = Math.Max(1, (int)Math.Ceiling(_measuredSeconds / maxSlices));
        _sliceTicks = SliceSeconds * Stopwatch.Frequency;
        _slices = Enumerable.Range(0, Math.Max(1, (int)Math.Ceiling(_measuredSeconds / SliceSeconds))).Select(_ => new Slice()).ToArray();
    }

    public int SliceSeconds { get; }

    /// <summary>Sets where measuring begins (the end of the warm-up), a Stopwatch timestamp; nothing counts before.</summary>
    public void StartsAt(long start) => Volatile.Write(ref _start, start);

    /// <summary>A send scheduled for <paramref name="sentAt"/> was issued at <paramref name="issuedAt"/> (the same moment in a closed loop).</summary>
    public void Sent(long sentAt, long issuedAt)
    {
        if (SliceOf(sentAt) is not { } slice)
            return;
        Interlocked.Increment(ref slice.Sent);
        if (issuedAt > sentAt)
            slice.SendLag.RecordMicros((long)Stopwatch.GetElapsedTime(sentAt, issuedAt).TotalMicroseconds);
    }

    public void Failed(long sentAt)
    {
        if (SliceOf(sentAt) is { } slice)
            Interlocked.Increment(ref slice.Failed);
    }

    /// <summary>A message sent at <paramref name="sentAt"/> arrived at <paramref name="arrivedAt"/>. Arrivals after the window count for latency only.</summary>
    public void Delivered(long sentAt, long arrivedAt)
    {
        SliceOf(sentAt)?.Latency.RecordMicros((long)Stopwatch.GetElapsedTime(sentAt, arrivedAt).TotalMicroseconds);
        if (SliceOf(arrivedAt) is { } slice)
            Interlocked.Increment(ref slice.Delivered);
    }

    public IReadOnlyList<TimelinePoint> Points() => _slices.Select((slice, i) =>
    {
        var from = i * SliceSeconds;
        // The last slice may run past the end of the window; rates are per second actually measured.
        var seconds = Math.Min(SliceSeconds, _measuredSeconds - from);
        var latency = slice.Latency.Summarise();
        return new TimelinePoint(from, from + seconds, slice.Sent / seconds, slice.Delivered / seconds, slice.Failed,
            slice.SendLag.PercentileMs(99), latency.P50Ms, latency.P99Ms, latency.MaxMs);
    }).ToList();

    private Slice? SliceOf(long timestamp)
    {
        var start = Volatile.Read(ref _start);
        return timestamp >= start && (timestamp - start) / _sliceTicks is var index && index < _slices.Length ? _slices[index] : null;
    }

    private sealed class Slice
    {
        public readonly Latency Latency = new(significantDigits: 2);
        public readonly Latency SendLag = new(significantDigits: 2);
        public long Sent;
        public long Delivered;
        public long Failed;
    }
}
