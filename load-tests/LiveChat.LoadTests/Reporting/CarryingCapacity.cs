using System.Globalization;
using LiveChat.LoadTests.Scenarios;

namespace LiveChat.LoadTests.Reporting;

/// <summary>What an overload run's timeline says about how much the node carried, in lines for its report.</summary>
public static class CarryingCapacity
{
    /// <summary>
    /// A slice counts as carried while the p99 of the messages sent in it stays within this: several times the
    /// chat target's p99 on this machine, so noise does not decide it, and still far from a visible stall.
    /// </summary>
    public const double CarriedP99Ms = 100;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Describe(ScenarioResult result)
    {
        var points = result.Timeline.Where(p => p.SentPerSecond > 0).ToList();
        if (points.Count == 0)
            return [];
        var firstMissed = points.FindIndex(p => p.P99Ms > CarriedP99Ms);
        var bestCarried = points.Where(p => p.P99Ms <= CarriedP99Ms).MaxBy(p => p.SentPerSecond);
        var worst = points.MaxBy(p => p.P99Ms)!;
        var peak = points.MaxBy(p => p.DeliveredPerSecond)!;
        // The first slice past the bound is the conservative figure; a later slice that is carried again at a higher
        // rate means the miss was a passing stall (a collection, thread-pool growth, another process), not the limit.
        var first = firstMissed < 0
            ? string.Create(Inv, $"The p99 of every slice stayed within {CarriedP99Ms:0} ms, up to {points[^1].SentPerSecond:0}/s: this run did not reach the limit.")
            : string.Create(Inv, $"The p99 first went past {CarriedP99Ms:0} ms at **{points[firstMissed].SentPerSecond:0}/s** " +
                $"(seconds {points[firstMissed].FromSecond:0}–{points[firstMissed].ToSecond:0}, p99 {points[firstMissed].P99Ms:0.0} ms, of which up to " +
                $"{points[firstMissed].SendLagP99Ms:0.0} ms was the generator's own send lag).");
        var best = bestCarried is null
            ? string.Create(Inv, $"No slice kept its p99 within {CarriedP99Ms:0} ms.")
            : string.Create(Inv, $"Highest rate sent with a p99 within {CarriedP99Ms:0} ms: **{bestCarried.SentPerSecond:0}/s** " +
                $"(seconds {bestCarried.FromSecond:0}–{bestCarried.ToSecond:0}, p99 {bestCarried.P99Ms:0.0} ms).");
        return
        [
            $"{first} {best}",
            string.Create(Inv, $"Most delivered in one slice: **{peak.DeliveredPerSecond:0}/s** (seconds {peak.FromSecond:0}–{peak.ToSecond:0}). " +
                $"Worst p99: **{worst.P99Ms:0.0} ms**, for messages sent at {worst.SentPerSecond:0}/s (seconds {worst.FromSecond:0}–{worst.ToSecond:0})."),
        ];
    }
}
