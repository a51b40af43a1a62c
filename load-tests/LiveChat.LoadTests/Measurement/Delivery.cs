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
