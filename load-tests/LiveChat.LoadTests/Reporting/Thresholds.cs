using System.Globalization;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Scenarios;
using Spectre.Console;

namespace LiveChat.LoadTests.Reporting;

public sealed record Verdict(bool Passed, string Text);

/// <summary>The <c>chaos</c> command's targets: counts at most these, the longest stall under <paramref name="MaxStall"/>.</summary>
/// <param name="MaxP99Ms">The p99 ack latency outside the faults, when given.</param>
public sealed record ChaosTargets(long MaxLost, long MaxDuplicated, long MaxOutOfOrder, long MaxStuck, long MaxUnheld, TimeSpan MaxStall, double? MaxP99Ms);

/// <summary>The thresholds given on the command line, and the chat scenario's console table.</summary>
public static class Thresholds
{
    public static IReadOnlyList<Verdict> Check(IReadOnlyList<ScenarioResult> results, double? p99Ratio, long? maxLost)
    {
        var verdicts = new List<Verdict>();
        foreach (var r in results)
        {
            var broken = r.Lost + r.Duplicated + r.OutOfOrder;
            var limit = maxLost ?? 0;
            verdicts.Add(new(broken <= limit, FormattableString.Invariant($"{r.Target}: {r.Lost} lost, {r.Duplicated} duplicated, {r.OutOfOrder} out of order (at most {limit} allowed)")));
            if (r.Failed > 0)
                verdicts.Add(new(false, FormattableString.Invariant($"{r.Target}: {r.Failed} sends failed")));
        }
        if (p99Ratio is { } ratio && results.Count == 2)
        {
            var actual = results[1].Delivery.P99Ms > 0 ? results[0].Delivery.P99Ms / results[1].Delivery.P99Ms : double.PositiveInfinity;
            verdicts.Add(new(actual <= ratio, FormattableString.Invariant($"p99 ratio {actual:0.00} (at most {ratio:0.00})")));
        }
        return verdicts;
    }

    public static IReadOnlyList<Verdict> Check(LongConversationResult result, double? maxGrowth, long? maxLost)
    {
        var broken = result.Lost + result.Duplicated + result.OutOfOrder;
        var limit = maxLost ?? 0;
        var verdicts = new List<Verdict>
        {
            new(broken <= limit, FormattableString.Invariant($"{result.Lost} lost, {result.Duplicated} duplicated, {result.OutOfOrder} out of order (at most {limit} allowed)")),
        };
        if (result.Failed > 0)
            verdicts.Add(new(false, FormattableString.Invariant($"{result.Failed} sends failed")));
        if (maxGrowth is { } growth)
            verdicts.Add(new(result.P99Growth <= growth, FormattableString.Invariant($"p99 of the last hundred is {result.P99Growth:0.00}× the first hundred's (at most {growth:0.00})")));
        return verdicts;
    }

    public static IReadOnlyList<Verdict> Check(ChaosResult r, ChaosTargets t)
    {
        var verdicts = new List<Verdict>
        {
            new(r.Faults.Count > 0, $"{r.Faults.Count} of {r.Settings.Faults} faults injected" + (r.Faults.Count == 0 ? ": the run tested nothing" : "")),
            new(r.Faults.All(f => f.Failed is null), $"{r.Faults.Count(f => f.Failed is not null)} faults could not be brought or undone" +
                string.Concat(r.Faults.Where(f => f.Failed is not null).Select(f => $"; fault {f.Number}: {f.Failed}"))),
            new(r.Lost.Count <= t.MaxLost, FormattableString.Invariant($"{r.Lost.Count} acknowledged messages lost (at most {t.MaxLost})")),
            new(r.Duplicated.Count <= t.MaxDuplicated, FormattableString.Invariant($"{r.Duplicated.Count} duplicated (at most {t.MaxDuplicated})")),
            new(r.OutOfOrder.Count <= t.MaxOutOfOrder, FormattableString.Invariant($"{r.OutOfOrder.Count} out of order (at most {t.MaxOutOfOrder})")),
            new(r.Inconsistent.Count == 0, FormattableString.Invariant($"{r.Inconsistent.Count} inconsistencies: acks and store disagreeing, two messages under one seq, gaps, a chat on a console not its holder's (none allowed)")),
            new(r.UnexpectedErrors == 0, FormattableString.Invariant($"{r.UnexpectedErrors} sends answered with an unexpected server error, no reason given (none allowed: a refusal says why, and a failover is retried by the node or refused as moving)")),
            new(r.StuckConversations <= t.MaxStuck, FormattableString.Invariant($"{r.StuckConversations} conversations stuck (at most {t.MaxStuck}); {r.FinalInTime} of {r.FinalSends} last-round messages acknowledged within {ChaosSettings.FinalWithin.TotalSeconds:0} s")),
            new(r.UnheldConversations <= t.MaxUnheld, FormattableString.Invariant($"{r.UnheldConversations} conversations held by no one (at most {t.MaxUnheld})")),
            new(r.LongestStall < t.MaxStall, FormattableString.Invariant($"longest stall {r.LongestStall.TotalSeconds:0.00} s (under {t.MaxStall.TotalSeconds:0.#} s)")),
        };
        if (t.MaxP99Ms is { } p99)
            verdicts.Add(new(r.OutsideFaults.P99Ms <= p99, FormattableString.Invariant($"p99 ack latency outside the faults {r.OutsideFaults.P99Ms:0.0} ms (at most {p99:0.0})")));
        return verdicts;
    }

    public static IReadOnlyList<Verdict> Check(RushResult r, double? maxP99Ms, double? maxSliceRatio)
    {
        var verdicts = new List<Verdict>
        {
            new(r.Failed == 0, $"{r.Failed} of {r.Visitors} visitors failed to start a conversation"),
            new(r.Answered.OneEach, $"as answered: {r.Answered.Describe("queued visitors'")}; {r.Assigned} assigned"),
            new(r.LastKnown.OneEach, $"after the settle: {r.LastKnown.Describe("waiting visitors' last known")}"),
            new(r.PushedBack == 0, $"{r.PushedBack} visitors told a later place than before"),
        };
        if (maxP99Ms is { } max)
            verdicts.Add(new(r.Start.P99Ms <= max, FormattableString.Invariant($"StartConversation p99 {r.Start.P99Ms:0.0} ms (at most {max:0.0})")));
        if (maxSliceRatio is { } ratio)
            verdicts.Add(new(r.SliceRatio <= ratio, FormattableString.Invariant(
                $"StartConversation p99 of the last {r.SliceSize} arrivals is {r.SliceRatio:0.00}× the first {r.SliceSize}'s (at most {ratio:0.00})")));
        return verdicts;
    }

    public static IReadOnlyList<Verdict> Check(SteadyQueueResult r, double? maxP99Ms, double? maxPushRate)
    {
        var verdicts = new List<Verdict>
        {
            new(r.Failed == 0, $"{r.Failed} of {r.Arrivals} visitors failed to start a conversation"),
            new(r.Closed > 0 && r.CloseFailures == 0, FormattableString.Invariant(
                $"{r.Closed} chats closed ({r.AssignmentsPerSecond:0.0} a second of the {r.Rate} asked), {r.CloseFailures} closes refused{(r.Closed == 0 ? ": the queue never moved" : "")}")),
            new(r.Lost == 0, $"every visitor assigned or still waiting: {r.Assigned} assigned, {r.StillWaiting} waiting, {r.Lost} neither"),
            new(r.LastKnown.OneEach, $"at the end: {r.LastKnown.Describe("waiting visitors' last known")}"),
            new(r.PushedBack == 0, $"{r.PushedBack} visitors told a later place than before"),
        };
        if (maxP99Ms is { } max)
            verdicts.Add(new(r.SteadyStart.P99Ms <= max, FormattableString.Invariant($"StartConversation p99 while the queue moves {r.SteadyStart.P99Ms:0.0} ms (at most {max:0.0})")));
        if (maxPushRate is { } rate)
            verdicts.Add(new(r.Pushes.BusiestSecond <= rate, FormattableString.Invariant($"position pushes in the busiest second {r.Pushes.BusiestSecond} (at most {rate:0})")));
        return verdicts;
    }

    public static IReadOnlyList<Verdict> Check(AnnounceResult r, double? maxP99Ms)
    {
        var verdicts = new List<Verdict>
        {
            new(r.Failed == 0, $"{r.Failed} of {r.Visitors} visitors failed to connect"),
            new(r.InTime == r.Connected, FormattableString.Invariant(
                $"{r.InTime} of {r.Connected} connected visitors received the announcement within {r.Bound.TotalSeconds:0} s; {r.Never} never did")),
        };
        if (maxP99Ms is { } max)
            verdicts.Add(new(r.Delivery.P99Ms <= max, FormattableString.Invariant($"announcement delivery p99 {r.Delivery.P99Ms:0.0} ms (at most {max:0.0})")));
        return verdicts;
    }

    public static void Print(ChaosResult r)
    {
        var table = new Table().AddColumns("target", "faults", "sends", "acked", "lost", "dup", "ooo", "inconsistent", "server errors", "stuck", "unheld", "longest stall s", "p99 outside ms", "p99 during ms");
        table.AddRow(new[] { r.Target, r.Faults.Count.ToString(CultureInfo.InvariantCulture), r.Sends.ToString(CultureInfo.InvariantCulture), r.Acked.ToString(CultureInfo.InvariantCulture),
            r.Lost.Count.ToString(CultureInfo.InvariantCulture), r.Duplicated.Count.ToString(CultureInfo.InvariantCulture), r.OutOfOrder.Count.ToString(CultureInfo.InvariantCulture),
            r.Inconsistent.Count.ToString(CultureInfo.InvariantCulture), r.UnexpectedErrors.ToString(CultureInfo.InvariantCulture), r.StuckConversations.ToString(CultureInfo.InvariantCulture), r.UnheldConversations.ToString(CultureInfo.InvariantCulture),
            F(r.LongestStall.TotalSeconds), F(r.OutsideFaults.P99Ms), F(r.DuringFaults.P99Ms) }.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }

    /// <summary>
    /// A gap between two pushes may be a little under the interval: the server stamps <c>DashboardView.at</c> a moment
    /// after it notes the push, and on a busy machine that moment varies. Anything shorter is two pushes in one interval.
    /// </summary>
    private const double GapTolerance = 0.9;

    public static IReadOnlyList<Verdict> Check(DashboardResult result, double? maxLagMs)
    {
        var sightings = 2L * result.Probes * result.Supervisors;
        var shortest = result.WholeRun.Min(p => p.ShortestGapMs);
        var intervalMs = result.Interval.TotalMilliseconds;
        var coalesced = shortest is null || shortest >= intervalMs * GapTolerance;
        var outOfOrder = result.WholeRun.Sum(p => p.OutOfOrder);
        var verdicts = new List<Verdict>
        {
            new(result.Missed == 0 && result.FailedProbes == 0, FormattableString.Invariant(
                $"dashboard: {result.Missed} of {sightings} sightings missed (not seen within {SupervisorScenario.SightingTimeout.TotalSeconds:0} s), {result.FailedProbes} of {result.Probes} probes failed")),
            new(coalesced, FormattableString.Invariant(
                $"dashboard: shortest gap between two pushes {(shortest is { } gap ? $"{gap:0.0} ms" : "n/a")}, so at most one push per {intervalMs:0} ms {(coalesced ? "held" : "did NOT hold")}")),
            new(outOfOrder == 0, FormattableString.Invariant($"dashboard: {outOfOrder} pushes arrived after a later one")),
        };
        if (maxLagMs is { } max)
            verdicts.Add(new(result.Lag.P99Ms <= max, FormattableString.Invariant($"dashboard lag p99 {result.Lag.P99Ms:0.0} ms (at most {max:0.0})")));
        return verdicts;
    }

    public static void Print(DashboardResult result)
    {
        var table = new Table().AddColumns("dashboard lag", "count", "p50 ms", "p95 ms", "p99 ms", "max ms");
        foreach (var (name, l) in new[] { ("probe shown waiting", result.Shown), ("probe shown gone", result.Gone), ("both", result.Lag) })
            table.AddRow(new[] { name, l.Count.ToString(CultureInfo.InvariantCulture), F(l.P50Ms), F(l.P95Ms), F(l.P99Ms), F(l.MaxMs) }.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(FormattableString.Invariant(
            $"Pushes per supervisor in the measured window: {result.Measured.Average(p => p.MeanPerSecond):0.0}/s on average, at most {result.Measured.Max(p => p.BusiestSecond)} in one second; whole run at most {result.WholeRun.Max(p => p.BusiestSecond)} in one second."));
    }

    public static void Print(IReadOnlyList<ScenarioResult> results)
    {
        var table = new Table().AddColumns("target", "ok", "fail", "RPS", "p50 ms", "p95 ms", "p99 ms", "max ms", "ack p99 ms", "lost", "dup", "ooo", "CPU %", "peak MB");
        foreach (var r in results)
            table.AddRow(new[] { r.Target, r.Ok.ToString(), r.Failed.ToString(), F(r.Rps), F(r.Delivery.P50Ms), F(r.Delivery.P95Ms), F(r.Delivery.P99Ms), F(r.Delivery.MaxMs), F(r.Ack.P99Ms),
                r.Lost.ToString(), r.Duplicated.ToString(), r.OutOfOrder.ToString(), F(r.CpuPercent), F(r.PeakMemoryMb) }.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
