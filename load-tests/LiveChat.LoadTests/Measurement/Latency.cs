using System.Diagnostics;
using HdrHistogram;

namespace LiveChat.LoadTests.Measurement;

/// <summary>Latencies in microseconds, recorded from any thread.</summary>
/// <param name="significantDigits">Precision: 3 for a run's figures; 2 is enough, and several times smaller, for one point of a timeline.</param>
public sealed class Latency(int significantDigits = 3)
{
    // microseconds, up to 5 minutes
    private readonly LongHistogram _histogram = new(highestTrackableValue: 5L * 60 * 1_000_000, numberOfSignificantValueDigits: significantDigits);
    private readonly Lock _lock = new();

    /// <summary>Records the time from <paramref name="startTimestamp"/> (a Stopwatch timestamp) until now.</summary>
    public void Record(long startTimestamp) => RecordMicros((long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds);

    public void RecordMicros(long micros)
    {
        lock (_lock)
            _histogram.RecordValue(Math.Clamp(micros, 1, _histogram.HighestTrackableValue));
    }

    /// <summary>One percentile so far, in ms (0 before anything was recorded): cheap enough for a live display.</summary>
    public double PercentileMs(double percentile)
    {
        lock (_lock)
            return _histogram.TotalCount == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1000.0;
    }

    public LatencySummary Summarise()
    {
        lock (_lock)
        {
            var h = _histogram;
            if (h.TotalCount == 0)
                return LatencySummary.Empty;
            double Ms(long micros) => micros / 1000.0;
            var buckets = new long[LatencySummary.BucketEdgesMs.Length + 1];
            foreach (var v in h.RecordedValues())
            {
                var ms = Ms(v.ValueIteratedTo);
                var index = Array.FindIndex(LatencySummary.BucketEdgesMs, edge => ms <= edge);
                buckets[index < 0 ? buckets.Length - 1 : index] += v.CountAtValueIteratedTo;
            }
            return new LatencySummary(h.TotalCount, Ms(h.GetValueAtPercentile(0)), h.GetMean() / 1000, Ms(h.GetMaxValue()), h.GetStdDeviation() / 1000,
                Ms(h.GetValueAtPercentile(50)), Ms(h.GetValueAtPercentile(75)), Ms(h.GetValueAtPercentile(95)), Ms(h.GetValueAtPercentile(99)), buckets);
        }
    }
}

public sealed record LatencySummary(long Count, double MinMs, double MeanMs, double MaxMs, double StdDevMs, double P50Ms, double P75Ms, double P95Ms, double P99Ms, long[] Buckets)
{
    /// <summary>Upper edges of the latency buckets; the last bucket is everything above.</summary>
    public static readonly double[] BucketEdgesMs = [1, 5, 10, 50, 100, 500, 1000];

    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0, new long[BucketEdgesMs.Length + 1]);
}
