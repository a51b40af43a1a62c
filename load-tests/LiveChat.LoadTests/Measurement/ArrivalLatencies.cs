using System.Diagnostics;

namespace LiveChat.LoadTests.Measurement;

/// <summary>
/// One latency per arrival, kept by the arrival's number, so that the first arrivals can be set against the last: a
/// queue whose every arrival costs more as it grows shows it in the last ones. Each arrival is recorded once, from
/// any thread; read the summaries once the arrivals are over.
/// </summary>
public sealed class ArrivalLatencies(int arrivals)
{
    private readonly long[] _micros = Enumerable.Repeat(-1L, arrivals).ToArray();

    public int Count => _micros.Length;

    /// <summary>Arrival <paramref name="arrival"/> took from <paramref name="startTimestamp"/> (a Stopwatch timestamp) until now.</summary>
    public void Record(int arrival, long startTimestamp) => _micros[arrival] = (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;

    /// <summary>The arrivals numbered <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> - 1; those that failed are left out.</summary>
    public LatencySummary Summarise(int from, int count)
    {
        var latency = new Latency();
        foreach (var micros in _micros.AsSpan(from, count))
            if (micros >= 0)
                latency.RecordMicros(micros);
        return latency.Summarise();
    }

    public LatencySummary All() => Summarise(0, _micros.Length);
}
