using System.Collections.Concurrent;
using LiveChat.LoadTests.Targets;

namespace LiveChat.LoadTests.Measurement;

/// <summary>One message of the <c>chaos</c> run, from the moment it was due until it was acknowledged or given up.</summary>
/// <param name="Number">Its place in its stream (one conversation, one direction): 1, 2, 3 ... in the order the sender sends them, one at a time.</param>
/// <param name="Final">The last round: one message per side per conversation once the faults are over, each due when the last fault ended.</param>
/// <param name="Due">The Stopwatch timestamp the message was due at.</param>
public sealed record ChaosSend(int Pair, Direction Direction, long Number, string ClientMessageId, bool Final, long Due)
{
    /// <summary>When it was first sent (the sender may have been busy with the one before).</summary>
    public long FirstTry { get; set; }

    /// <summary>When it was acknowledged, refused for good, or given up.</summary>
    public long Done { get; set; }

    public SendOutcome? Outcome { get; set; }

    public bool Acked => Outcome?.Acked == true;
}

/// <summary>A message a side saw: pushed live, or read with <c>GetMessages</c> when catching up.</summary>
public sealed record SeenMessage(long Seq, string SenderRole, string ClientMessageId, bool Pushed);

/// <summary>
/// What the <c>chaos</c> run's clients sent and saw, written from any thread. Each side of each conversation keeps the
/// messages it saw by <c>seq</c>, the way a client does, and notes at once what may never happen: two different
/// messages under one <c>seq</c>, or one client message id under two.
/// </summary>
public sealed class ChaosLedger
{
    private readonly ConcurrentQueue<ChaosSend> _sends = new();
    private readonly ConcurrentDictionary<(int Pair, Side Side), SideView> _sides = new();
    private readonly ConcurrentQueue<string> _conflicts = new();

    public enum Side
    {
        Visitor,
        Agent,
    }

    public IReadOnlyCollection<ChaosSend> Sends => _sends;

    /// <summary>Two messages under one seq, or one client message id seen under two seqs, in words.</summary>
    public IReadOnlyCollection<string> Conflicts => _conflicts;

    public void Add(ChaosSend send) => _sends.Enqueue(send);

    /// <summary>Keeps a message a side saw; returns the highest seq up to which that side has seen every message.</summary>
    public long Saw(int pair, Side side, SeenMessage message)
    {
        var view = _sides.GetOrAdd((pair, side), _ => new SideView());
        lock (view)
        {
            if (view.BySeq.TryGetValue(message.Seq, out var kept))
            {
                if ((kept.SenderRole, kept.ClientMessageId) != (message.SenderRole, message.ClientMessageId))
                    _conflicts.Enqueue($"conversation {pair}, {side} side: seq {message.Seq} was {kept.SenderRole} '{kept.ClientMessageId}' and then {message.SenderRole} '{message.ClientMessageId}'");
                else if (message.Pushed && kept.Pushed)
                    view.PushedTwice++;
            }
            else
            {
                view.BySeq[message.Seq] = message;
                if (message.Pushed)
                    view.Pushed++;
            }
            var id = (message.SenderRole, message.ClientMessageId);
            if (message.SenderRole is not "system" && view.SeqOf.TryGetValue(id, out var seq) && seq != message.Seq)
                view.SeqsOfOneId.Add(id);
            else
                view.SeqOf[id] = message.Seq;
            while (view.BySeq.ContainsKey(view.Contiguous + 1))
                view.Contiguous++;
            return view.Contiguous;
        }
    }

    /// <summary>The highest seq up to which the side has seen every message: where its catch-up starts.</summary>
    public long Contiguous(int pair, Side side)
    {
        var view = _sides.GetOrAdd((pair, side), _ => new SideView());
        lock (view)
            return view.Contiguous;
    }

    /// <summary>Client message ids (with their sender's role) the side saw under more than one seq.</summary>
    public IReadOnlyList<(string SenderRole, string ClientMessageId)> SeenUnderTwoSeqs(int pair, Side side)
    {
        var view = _sides.GetOrAdd((pair, side), _ => new SideView());
        lock (view)
            return view.SeqsOfOneId.ToList();
    }

    /// <summary>Messages pushed live to any side (the rest were read when catching up), and pushes of a seq a side already had by push.</summary>
    public (long Pushed, long PushedTwice) Pushes()
    {
        long pushed = 0, twice = 0;
        foreach (var view in _sides.Values)
            lock (view)
            {
                pushed += view.Pushed;
                twice += view.PushedTwice;
            }
        return (pushed, twice);
    }

    private sealed class SideView
    {
        public Dictionary<long, SeenMessage> BySeq { get; } = [];
        public Dictionary<(string, string), long> SeqOf { get; } = [];
        public HashSet<(string, string)> SeqsOfOneId { get; } = [];
        public long Contiguous { get; set; }
        public long Pushed { get; set; }
        public long PushedTwice { get; set; }
    }
}
