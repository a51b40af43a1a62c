using System.Globalization;
using System.Text;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Scenarios;

namespace LiveChat.LoadTests.Reporting;

/// <summary>
/// The <c>chaos</c> run's report: <c>report.md</c> (the faults, the counts the targets are set on, their evidence line
/// by line, the longest stalls, ack latency outside and during the faults), <c>sends.csv</c> (every send) and
/// <c>faults.csv</c>. The node logs (<c>node{n}.log</c>) and the run's own events (<c>events.log</c>) are written to
/// the same folder while the run goes.
/// </summary>
public static class ChaosReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Lines of evidence shown per kind in report.md; all of them are counted.</summary>
    private const int EvidenceShown = 50;

    public static async Task<string> WriteAsync(string folder, ChaosResult r, IReadOnlyList<string> notes, IReadOnlyList<string> verdicts)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), Markdown(r, notes, verdicts));
        await File.WriteAllTextAsync(Path.Combine(folder, "sends.csv"), SendsCsv(r));
        var faults = new StringBuilder("number,kind,start_utc,end_utc,seconds,what\n");
        foreach (var f in r.Faults)
            faults.AppendLine(Inv, $"{f.Number},{FaultKinds.Name(f.Kind)},{f.StartUtc:O},{f.EndUtc:O},{f.Length.TotalSeconds:0.000},\"{f.What}\"");
        await File.WriteAllTextAsync(Path.Combine(folder, "faults.csv"), faults.ToString());
        return folder;
    }

    /// <summary>How the run was set up, in words, for under the settings.</summary>
    public static string Setup(string? givenRedis, string appendFsync, int nodes) =>
        (givenRedis is null
            ? $"Redis: a redis-server the suite started, append-only file on, appendfsync {appendFsync}."
            : $"Redis: the one given ({givenRedis}); the suite does not kill it.") +
        $" The {(nodes > 1 ? $"{nodes} nodes reach" : "node reaches")} it through a fault proxy (loopback TCP) that loses its replies when told, " +
        "and each client connects to the nodes round-robin, moving to the next node when its connection closes. " +
        "The nodes keep a person's message limits (10 at once, 5 a second), so resends after a stall meet the same refusals a widget does. " +
        "Each node's output is in node{n}.log, the run's own events in events.log, every send in sends.csv.";

    private static string Markdown(ChaosResult r, IReadOnlyList<string> notes, IReadOnlyList<string> verdicts)
    {
        var s = r.Settings;
        var md = new StringBuilder("# LiveChat load report: chaos\n\n");
        md.AppendLine(Inv, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores. {r.Target}: {s.Conversations} conversations, " +
            $"{s.Agents} agents carrying {s.Capacity} each, {s.Rate} messages/s in all, each side sending one message at a time. " +
            $"{s.WarmUp.TotalSeconds:0} s warm-up, then up to {s.Faults} faults within {s.Duration.TotalSeconds:0} s, cycling through " +
            $"{string.Join(", ", s.Kinds.Select(FaultKinds.Name))}; each lasting {s.FaultLength.TotalSeconds:0.#} s, one starting every " +
            $"{s.Spacing.Min.TotalSeconds:0.#}–{s.Spacing.Max.TotalSeconds:0.#} s (seed {s.Seed}). The load ends when the last fault is over; then each side of each " +
            $"conversation sends once more, to be acknowledged within {ChaosSettings.FinalWithin.TotalSeconds:0} s.").AppendLine();
        foreach (var note in notes)
            md.AppendLine(note).AppendLine();

        md.AppendLine("## Faults").AppendLine();
        md.AppendLine("Seconds from the start of the load; UTC to find them in the node logs.").AppendLine();
        md.AppendLine("Longest stall: the longest any send that overlapped the fault (or the settle margin after it) waited for its acknowledgement.").AppendLine();
        md.AppendLine("| # | kind | what | from s | to s | lasted s | longest stall s | UTC |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (f, stall) in r.Faults.Zip(r.LongestStallPerFault))
            md.AppendLine(Inv, $"| {f.Number} | {FaultKinds.Name(f.Kind)} | {f.What}{(f.Failed is null ? "" : $" **FAILED: {f.Failed}**")} | {FaultStart(r, f):0.0} | {FaultStart(r, f) + f.Length.TotalSeconds:0.0} | " +
                $"{f.Length.TotalSeconds:0.0} | {stall.TotalSeconds:0.00} | {f.StartUtc:HH:mm:ss.fff}–{f.EndUtc:HH:mm:ss.fff} |");

        md.AppendLine().AppendLine("## Targets").AppendLine();
        md.AppendLine("| acknowledged messages lost | duplicated | out of order | inconsistent | unexpected server errors | conversations stuck | held by no one | longest stall s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        md.AppendLine(Inv, $"| {r.Lost.Count} | {r.Duplicated.Count} | {r.OutOfOrder.Count} | {r.Inconsistent.Count} | {r.UnexpectedErrors} | {r.StuckConversations} | {r.UnheldConversations} | {r.LongestStall.TotalSeconds:0.00} |");

        md.AppendLine().AppendLine("## Sends").AppendLine();
        md.AppendLine("| sends | acknowledged | refused for good | unanswered | resends | answered \"already stored\" | reconnects | pushed live | pushed twice |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(Inv, $"| {r.Sends} | {r.Acked} | {r.RefusedForGood} | {r.Unanswered} | {r.Resends} | {r.AnsweredDuplicate} | {r.Reconnects} | {r.PushedLive} | {r.PushedTwice} |");
        md.AppendLine().AppendLine("Why sends went again (each is followed by a resend with the same client message id):").AppendLine();
        foreach (var (reason, count) in r.ResendReasons)
            md.AppendLine(Inv, $"- {count}× {reason}");
        if (r.ResendReasons.Count == 0)
            md.AppendLine("- none");

        md.AppendLine().AppendLine("## Ack latency (first try to ack, resends included), ms").AppendLine();
        md.AppendLine(Inv, $"Measured sends (after the warm-up). Outside the faults: began and ended outside every fault and the {s.Settle.TotalSeconds:0.#} s after it.").AppendLine();
        md.AppendLine("| sends | count | min | mean | max | stddev | p50 | p75 | p95 | p99 |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, latency) in new[] { ("all", r.AllAcks), ("outside the faults", r.OutsideFaults), ("during the faults", r.DuringFaults) })
            md.AppendLine(Report.Row(name, latency));

        md.AppendLine().AppendLine("## Last round").AppendLine();
        md.AppendLine(Inv, $"{r.FinalInTime} of {r.FinalSends} last-round messages acknowledged within {ChaosSettings.FinalWithin.TotalSeconds:0} s of the last fault's end; " +
            $"the slowest after {r.SlowestFinal.TotalSeconds:0.00} s.");

        md.AppendLine().AppendLine("## Longest stalls").AppendLine();
        md.AppendLine("| conversation | message | first try at s | took s | outcome | tries | why it went again | faults overlapped |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var st in r.LongestStalls)
            md.AppendLine(Inv, $"| {st.Pair} ({st.ConversationId}) | {st.ClientMessageId} | {st.At:0.00} | {st.Took.TotalSeconds:0.00} | {st.Outcome} | {st.Tries} | {st.Waits} | {st.Faults} |");

        md.AppendLine().AppendLine("## Evidence").AppendLine();
        foreach (var (title, lines) in new[] { ("Lost", r.Lost), ("Duplicated", r.Duplicated), ("Out of order", r.OutOfOrder), ("Inconsistent", r.Inconsistent),
            ("Stuck", r.Stuck), ("Held by no one", r.Unheld), ("Could not be read at the end", r.Problems) })
        {
            md.AppendLine(Inv, $"{title}: {(lines.Count == 0 ? "none" : lines.Count.ToString(Inv))}").AppendLine();
            foreach (var line in lines.Take(EvidenceShown))
                md.AppendLine($"- {line}");
            if (lines.Count > EvidenceShown)
                md.AppendLine(Inv, $"- … and {lines.Count - EvidenceShown} more");
            if (lines.Count > 0)
                md.AppendLine();
        }

        md.AppendLine("## Thresholds").AppendLine();
        foreach (var verdict in verdicts)
            md.AppendLine($"- {verdict}");
        return md.ToString();
    }

    private static double FaultStart(ChaosResult r, FaultWindow f) => System.Diagnostics.Stopwatch.GetElapsedTime(r.LoadStart, f.Start).TotalSeconds;

    private static string SendsCsv(ChaosResult r)
    {
        var csv = new StringBuilder("pair,conversation_id,sender,number,client_message_id,final,due_s,first_try_s,done_s,stall_ms,tries,outcome,seq,answered_duplicate,resent_because\n");
        foreach (var row in r.Rows)
            csv.AppendLine(string.Join(',', new object?[] { row.Pair, row.ConversationId, row.Direction, row.Number, row.ClientMessageId, row.Final, row.Due, row.FirstTry,
                row.Done, Math.Round(row.StallMs, 1), row.Tries, row.Outcome, row.Seq, row.AnsweredDuplicate, $"\"{row.Waits}\"" }.Select(v => Convert.ToString(v, Inv))));
        return csv.ToString();
    }
}
