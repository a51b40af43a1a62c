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

    public static IReadOnlyList<string> Describe(ScenarioResult result)
    {
        var points = result.Timeline.Where(p => p.SentPerSecond > 0).ToList();
        if (points.Count == 0)
            return [];
        var carried = points.Where(p => p.P99Ms <= CarriedP99Ms).MaxBy(p => p.SentPerSecond);
        var worst = points.MaxBy(p => p.P99Ms)!;
        var peak = points.MaxBy(p => p.DeliveredPerSecond)!;
        return
        [
            carried is null
                ? string.Create(CultureInfo.InvariantCulture, $"No slice kept its p99 within {CarriedP99Ms:0} ms.")
                : string.Create(CultureInfo.InvariantCulture,
                    $"Highest rate sent with the p99 of its messages within {CarriedP99Ms:0} ms: **{carried.SentPerSecond:0}/s** (seconds {carried.FromSecond:0}–{carried.ToSecond:0}, p99 {carried.P99Ms:0.0} ms)."),
            string.Create(CultureInfo.InvariantCulture,
                $"Most delivered in one slice: **{peak.DeliveredPerSecond:0}/s** (seconds {peak.FromSecond:0}–{peak.ToSecond:0}). " +
                $"Worst p99: **{worst.P99Ms:0.0} ms**, for messages sent at {worst.SentPerSecond:0}/s (seconds {worst.FromSecond:0}–{worst.ToSecond:0})."),
        ];
    }
}
