using System.Diagnostics;
using System.Globalization;
using LiveChat.Contracts;
using LiveChat.LoadTests.Scenarios;
using LiveChat.LoadTests.Targets;
using Side = LiveChat.LoadTests.Measurement.ChaosLedger.Side;

namespace LiveChat.LoadTests.Measurement;

/// <summary>A send that waited long for its acknowledgement, with the faults it overlapped.</summary>
/// <param name="At">Seconds from the start of the load to its first try.</param>
public sealed record Stall(int Pair, string ConversationId, string ClientMessageId, double At, TimeSpan Took, string Outcome, int Tries, string Waits, string Faults);

/// <summary>One send, for <c>sends.csv</c>: times in seconds from the start of the load.</summary>
public sealed record SendRow(int Pair, string ConversationId, string Direction, long Number, string ClientMessageId, bool Final, double Due, double FirstTry, double Done,
    double StallMs, int Tries, string Outcome, long? Seq, bool AnsweredDuplicate, string Waits);

/// <summary>
/// What the <c>chaos</c> run found. The counts the targets are set on come with their evidence in words, one line per
/// message or conversation, so the report can say which.
/// </summary>
/// <param name="Lost">Acknowledged messages the other side cannot read at the end.</param>
/// <param name="Duplicated">Extra copies: a client message id stored twice, or seen under two seqs.</param>
/// <param name="OutOfOrder">Acknowledged messages stored before one their sender had acknowledged earlier.</param>
/// <param name="Inconsistent">What no client may ever see: an ack whose seq differs from where the message is stored, two messages under one seq, a gap in the seqs, two agents listing one chat.</param>
/// <param name="Stuck">Conversations with a send refused for good, or a side whose last-round message was not acknowledged within <see cref="ChaosSettings.FinalWithin"/>.</param>
/// <param name="Unheld">Conversations held by no one: active with an agent whose console does not list it, or waiting while an agent has room.</param>
/// <param name="UnexpectedErrors">Sends answered with SignalR's generic error, which gives no reason: the protocol promises a reason in words, or a retry by the node.</param>
/// <param name="LongestStallPerFault">The longest stall among the sends that overlapped each fault (with its settle margin), in the order of the faults.</param>
/// <param name="LoadStart">The Stopwatch timestamp the load began at: the report's seconds count from it.</param>
/// <param name="OutsideFaults">Ack latency (first try to ack) of measured sends that began and ended outside every fault and its settle margin.</param>
public sealed record ChaosResult(
    string Target, ChaosSettings Settings, long LoadStart, IReadOnlyList<FaultWindow> Faults, long Sends, long Acked, long RefusedForGood, long Unanswered,
    long Resends, IReadOnlyList<(string Reason, long Count)> ResendReasons, long UnexpectedErrors, long AnsweredDuplicate, long Reconnects, long PushedLive, long PushedTwice,
    IReadOnlyList<string> Lost, IReadOnlyList<string> Duplicated, IReadOnlyList<string> OutOfOrder, IReadOnlyList<string> Inconsistent,
    IReadOnlyList<string> Stuck, IReadOnlyList<string> Unheld, IReadOnlyList<Stall> LongestStalls, TimeSpan LongestStall,
    LatencySummary AllAcks, LatencySummary OutsideFaults, LatencySummary DuringFaults,
    int FinalSends, int FinalInTime, TimeSpan SlowestFinal, IReadOnlyList<string> Problems, IReadOnlyList<SendRow> Rows,
    IReadOnlyList<TimeSpan> LongestStallPerFault)
{
    public int StuckConversations => Stuck.Select(s => s.Split(':')[0]).Distinct().Count();
    public int UnheldConversations => Unheld.Count;
}

/// <summary>Judges a <c>chaos</c> run from what its clients sent and saw, the histories read back at the end and who holds what.</summary>
public static class ChaosFindings
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ChaosResult Judge(ChaosSettings settings, string target, ChaosLedger ledger, IReadOnlyList<FaultWindow> faults, long loadStart, long warmUpEnd,
        long lastFaultEnd, IReadOnlyList<string> conversationIds, IReadOnlyList<int> agentOfPair, Holdings holdings, Histories histories, long reconnects)
    {
        var sends = ledger.Sends.Where(s => s.FirstTry > 0).OrderBy(s => s.Pair).ThenBy(s => s.Direction).ThenBy(s => s.Number).ToList();
        var lost = new List<string>();
        var duplicated = new List<string>();
        var outOfOrder = new List<string>();
        var stuck = new List<string>();
        // The histories read at the end are what each side sees last: held against what it was pushed and read before.
        for (var pair = 0; pair < conversationIds.Count; pair++)
            foreach (var (history, side) in new[] { (histories.ByVisitor[pair], Side.Visitor), (histories.ByAgent[pair], Side.Agent) })
                foreach (var m in history ?? [])
                    ledger.Saw(pair, side, new SeenMessage(m.Seq, m.SenderRole, m.ClientMessageId ?? "", Pushed: false));
        var inconsistent = new List<string>(ledger.Conflicts);

        for (var pair = 0; pair < conversationIds.Count; pair++)
        {
            var id = conversationIds[pair];
            var byVisitor = histories.ByVisitor[pair];
            var byAgent = histories.ByAgent[pair];
            // What the store holds, as the visitor (who may always read it) reads it; the agent's reading is compared with it.
            var stored = byVisitor ?? byAgent ?? [];
            inconsistent.AddRange(Gaps(pair, "visitor", byVisitor).Concat(Gaps(pair, "agent", byAgent)));

            var seqsOf = stored.Where(m => m.SenderRole is Roles.Visitor or Roles.Agent)
                .GroupBy(m => (m.SenderRole, m.ClientMessageId)).ToDictionary(g => g.Key, g => g.Select(m => m.Seq).ToList());
            foreach (var (key, seqs) in seqsOf.Where(e => e.Value.Count > 1))
                duplicated.Add($"conversation {pair} ({id}): {key.SenderRole} '{key.ClientMessageId}' stored {seqs.Count} times, at seqs {string.Join(", ", seqs)}");
            foreach (var side in new[] { Side.Visitor, Side.Agent })
                foreach (var key in ledger.SeenUnderTwoSeqs(pair, side).Where(k => !seqsOf.TryGetValue(k, out var seqs) || seqs.Count < 2))
                    duplicated.Add($"conversation {pair} ({id}): the {side} side saw {key.SenderRole} '{key.ClientMessageId}' under two seqs");

            foreach (var direction in new[] { Direction.VisitorToAgent, Direction.AgentToVisitor })
            {
                var role = direction == Direction.VisitorToAgent ? Roles.Visitor : Roles.Agent;
                var reader = direction == Direction.VisitorToAgent ? byAgent ?? byVisitor : byVisitor;
                var readable = (reader ?? []).Where(m => m.SenderRole == role).Select(m => m.ClientMessageId).ToHashSet();
                var highest = 0L;
                foreach (var send in sends.Where(s => s.Pair == pair && s.Direction == direction && s.Acked))
                {
                    var ack = send.Outcome!.Ack!;
                    if (!readable.Contains(send.ClientMessageId))
                        lost.Add($"conversation {pair} ({id}): {role} '{send.ClientMessageId}' acknowledged with seq {ack.Seq} but not readable by the other side");
                    if (!seqsOf.TryGetValue((role, send.ClientMessageId), out var seqs))
                        continue;
                    if (!seqs.Contains(ack.Seq))
                        inconsistent.Add($"conversation {pair} ({id}): {role} '{send.ClientMessageId}' acknowledged with seq {ack.Seq}, stored at {string.Join(", ", seqs)}");
                    if (seqs[0] < highest)
                        outOfOrder.Add($"conversation {pair} ({id}): {role} '{send.ClientMessageId}' stored at seq {seqs[0]}, before seq {highest} of a message its sender had acknowledged earlier");
                    highest = Math.Max(highest, seqs[0]);
                }
            }

            foreach (var send in sends.Where(s => s.Pair == pair))
            {
                var who = send.Direction == Direction.VisitorToAgent ? "visitor" : $"agent load{agentOfPair[pair]}";
                if (send.Outcome?.Refusal is { } refusal)
                    stuck.Add($"conversation {pair} ({id}): {who}'s '{send.ClientMessageId}' refused for good: {refusal}");
                else if (send.Final && (!send.Acked || Stopwatch.GetElapsedTime(send.Due, send.Done) > ChaosSettings.FinalWithin))
                    stuck.Add($"conversation {pair} ({id}): {who}'s last-round message " + (send.Acked
                        ? string.Create(Inv, $"acknowledged only {Stopwatch.GetElapsedTime(send.Due, send.Done).TotalSeconds:0.0} s after the last fault")
                        : string.Create(Inv, $"never acknowledged ({send.Outcome?.Tries ?? 0} tries in {Stopwatch.GetElapsedTime(send.Due, send.Done).TotalSeconds:0.0} s: {Waits(send)})")));
            }
            if (holdings.Views[pair] is { Status: ConversationStatus.Closed })
                stuck.Add($"conversation {pair} ({id}): closed, though nobody closed it");
            if (byVisitor is null)
                stuck.Add($"conversation {pair} ({id}): the visitor cannot read it");
        }
        inconsistent.AddRange(holdings.ListedByOthers());

        // Stalls and latencies: from a send's first try to its ack (or to when it was given up), resends included.
        var outside = new Latency();
        var during = new Latency();
        var all = new Latency();
        foreach (var send in sends.Where(s => s.Acked && s.FirstTry >= warmUpEnd))
        {
            var micros = (long)Stopwatch.GetElapsedTime(send.FirstTry, send.Done).TotalMicroseconds;
            all.RecordMicros(micros);
            (Overlapping(send).Any() ? during : outside).RecordMicros(micros);
        }
        var stalls = sends.OrderByDescending(s => s.Done - s.FirstTry).Take(10).Select(s => new Stall(s.Pair, conversationIds[s.Pair], s.ClientMessageId,
            Seconds(s.FirstTry), Stopwatch.GetElapsedTime(s.FirstTry, s.Done), Outcome(s), s.Outcome?.Tries ?? 0, Waits(s),
            string.Join(", ", Overlapping(s).Select(f => $"{f.Number} ({FaultKinds.Name(f.Kind)})")))).ToList();
        var finals = sends.Where(s => s.Final).ToList();
        var waits = sends.SelectMany(s => s.Outcome?.Waits ?? []).GroupBy(Category).Select(g => (g.Key, (long)g.Count())).OrderByDescending(g => g.Item2).ToList();
        var (pushed, pushedTwice) = ledger.Pushes();

        return new ChaosResult(target, settings, loadStart, faults, sends.Count, sends.Count(s => s.Acked), sends.Count(s => s.Outcome?.Refusal is not null),
            sends.Count(s => s.Outcome is { Acked: false, Refusal: null } || s.Outcome is null), sends.Sum(s => Math.Max(0, (s.Outcome?.Tries ?? 1) - 1)), waits,
            sends.Sum(s => (s.Outcome?.Waits ?? []).Count(w => w.Length == 0)),
            sends.Count(s => s.Outcome?.Ack?.Duplicate == true), reconnects, pushed, pushedTwice,
            lost, duplicated, outOfOrder, inconsistent, stuck, holdings.Unheld(conversationIds), stalls,
            stalls.Count > 0 ? stalls[0].Took : TimeSpan.Zero, all.Summarise(), outside.Summarise(), during.Summarise(),
            finals.Count, finals.Count(s => s.Acked && Stopwatch.GetElapsedTime(s.Due, s.Done) <= ChaosSettings.FinalWithin),
            finals.Count > 0 ? finals.Max(s => Stopwatch.GetElapsedTime(s.Due, s.Done)) : TimeSpan.Zero,
            [.. holdings.Problems, .. histories.Refusals],
            sends.Select(s => new SendRow(s.Pair, conversationIds[s.Pair], s.Direction == Direction.VisitorToAgent ? "visitor" : "agent", s.Number, s.ClientMessageId, s.Final,
                Seconds(s.Due), Seconds(s.FirstTry), Seconds(s.Done), Stopwatch.GetElapsedTime(s.FirstTry, s.Done).TotalMilliseconds, s.Outcome?.Tries ?? 0,
                Outcome(s), s.Outcome?.Ack?.Seq, s.Outcome?.Ack?.Duplicate == true, Waits(s))).ToList(),
            faults.Select(f => sends.Where(s => Overlapping(s).Contains(f)).Select(s => Stopwatch.GetElapsedTime(s.FirstTry, s.Done)).DefaultIfEmpty().Max()).ToList());

        double Seconds(long timestamp) => Math.Round(Stopwatch.GetElapsedTime(loadStart, timestamp).TotalSeconds, 3);

        // A send overlaps a fault when any of it falls between the fault's start and its end plus the settle margin.
        IEnumerable<FaultWindow> Overlapping(ChaosSend send) => faults.Where(f =>
            send.FirstTry <= f.End + (long)(settings.Settle.TotalSeconds * Stopwatch.Frequency) && send.Done >= f.Start);
    }

    /// <summary>Seqs must run 1, 2, 3 ... with no gap and no repeat.</summary>
    private static IEnumerable<string> Gaps(int pair, string reader, IReadOnlyList<ChatMessage>? history)
    {
        if (history is null)
            yield break;
        for (var i = 0; i < history.Count; i++)
            if (history[i].Seq != i + 1)
            {
                yield return $"conversation {pair}: as the {reader} reads it, message {i + 1} has seq {history[i].Seq}";
                yield break;
            }
    }

    private static string Outcome(ChaosSend send) => send.Outcome switch
    {
        { Acked: true } => "acked",
        { Refusal: not null } => "refused",
        _ => "unanswered",
    };

    private static string Waits(ChaosSend send) => string.Join("; ", (send.Outcome?.Waits ?? []).GroupBy(Category).Select(g => $"{g.Count()}× {g.Key}"));

    /// <summary>Why a send went again, in a few words: the refusals by their reason, the lost answers by how they were lost.</summary>
    private static string Category(string wait) => wait switch
    {
        "" => "unexpected server error (no reason given)",
        _ when wait.StartsWith("too many messages", StringComparison.Ordinal) => "too many messages (retry after N s)",
        _ when wait.StartsWith("LiveChat is moving", StringComparison.Ordinal) => "LiveChat is moving to another server",
        _ when wait.StartsWith("no answer", StringComparison.Ordinal) => "no answer in time",
        _ when wait.StartsWith("connection lost", StringComparison.Ordinal) => "connection lost",
        _ => wait,
    };
}
