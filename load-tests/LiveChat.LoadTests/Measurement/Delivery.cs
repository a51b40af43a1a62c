using System.Collections.Concurrent;

namespace LiveChat.LoadTests.Measurement;

/// <summary>
/// Checks that every acknowledged message reached the other side exactly once and in order. Each direction of each
/// conversation is a stream whose messages the sender numbers 1, 2, 3 ... in the text.
/// </summary>
public sealed class Delivery
{
    private readonly ConcurrentDictionary<(int Pair, int Direction), Stream> _streams = new();

    public long Duplicated => _streams.Values.Sum(s => s.Duplicated);
    public long OutOfOrder => _streams.Values.Sum(s => s.OutOfOrder);
    public long ReceivedCount => _streams.Values.Sum(s => s.Seen.Count);

    /// <summary>Acknowledged messages that never arrived.</summary>
    public long Lost => _streams.Values.Sum(s => s.Acked.Count(n => !s.Seen.Contains(n)));

    public bool AllArrived => _streams.Values.All(s => s.Acked.All(s.Seen.Contains));

    /// <summary>The text a load message carries: its number in its stream and the Stopwatch timestamp it was scheduled for.</summary>
    public static string Payload(long number, long scheduled) => $"{number}|{scheduled}";

    /// <summary>Reads <see cref="Payload"/>; false for any other text.</summary>
    public static bool TryRead(string text, out long number, out long scheduled)
    {
        var bar = text.IndexOf('|');
        scheduled = 0;
        number = 0;
        return bar > 0 && long.TryParse(text.AsSpan(0, bar), out number) && long.TryParse(text.AsSpan(bar + 1), out scheduled);
    }

    /// <summary>Gives the last pushes up to <paramref name="timeout"/> to land, so what is still missing then counts as lost.</summary>
    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (!AllArrived && System.Diagnostics.Stopwatch.GetTimestamp() < until)
            await Task.Delay(50, cancellationToken);
    }

    public void Acked(int pair, int direction, long number)
    {
        var stream = _streams.GetOrAdd((pair, direction), _ => new Stream());
        lock (stream)
            stream.Acked.Add(number);
    }

    public void Received(int pair, int direction, long number)
    {
        var stream = _streams.GetOrAdd((pair, direction), _ => new Stream());
        lock (stream)
        {
            if (!stream.Seen.Add(number))
                stream.Duplicated++;
            else if (number < stream.Highest)
                stream.OutOfOrder++;
            stream.Highest = Math.Max(stream.Highest, number);
        }
    }

    private sealed class Stream
    {
        public HashSet<long> Acked { get; } = [];
        public HashSet<long> Seen { get; } = [];
        public long Highest { get; set; }
        public long Duplicated { get; set; }
        public long OutOfOrder { get; set; }
    }
}
