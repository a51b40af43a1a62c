using System.Globalization;

namespace LiveChat.LoadTests.Scenarios;

/// <param name="Rate">Messages a second, both directions and all conversations together.</param>
/// <param name="Duration">The span the faults fall in, after the warm-up; the load ends when the last fault is over.</param>
/// <param name="Spacing">From the start of one fault to the start of the next, drawn between the two (never less than a second after the last one ended).</param>
/// <param name="FaultLength">How long a fault lasts: the window of lost replies or of the pause, or how long what was killed stays down.</param>
/// <param name="Settle">Added after each fault when telling the sends outside the faults from the rest.</param>
public sealed record ChaosSettings(int Conversations, int Capacity, int Rate, TimeSpan WarmUp, TimeSpan Duration, int Faults,
    (TimeSpan Min, TimeSpan Max) Spacing, TimeSpan FaultLength, IReadOnlyList<FaultKind> Kinds, TimeSpan Settle, int Seed)
{
    /// <summary>Each message of the last round must be acknowledged within this of the last fault's end.</summary>
    public static readonly TimeSpan FinalWithin = TimeSpan.FromSeconds(10);

    /// <summary>How long after the last fault a send is still tried before the run gives up on it (and counts it unanswered).</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(40);

    public int Agents => (Conversations + Capacity - 1) / Capacity;

    /// <summary>The settings from the command line, checked; <paramref name="possible"/> are the faults this run can bring.</summary>
    public static ChaosSettings? Read(int conversations, int capacity, int rate, int warmUpSeconds, int durationSeconds, int faults, string spacing,
        double faultLength, string? kinds, double settle, int? seed, IReadOnlyList<FaultKind> possible, out string refusal)
    {
        refusal = "";
        var bounds = spacing.Split('-');
        if (bounds.Length != 2 || !double.TryParse(bounds[0], CultureInfo.InvariantCulture, out var least)
            || !double.TryParse(bounds[1], CultureInfo.InvariantCulture, out var most) || least < 1 || most < least || most > 300)
        {
            refusal = "--fault-spacing must be A-B seconds, 1 <= A <= B <= 300, for example 6-8";
            return null;
        }
        var cycle = possible;
        if (kinds is not null)
        {
            if (!FaultKinds.TryParse(kinds, out cycle, out refusal))
                return null;
            if (cycle.Where(k => !possible.Contains(k)).ToList() is [var impossible, ..])
            {
                refusal = impossible == FaultKind.KillRedis
                    ? "kill-redis kills only a redis-server the suite started: leave out --redis"
                    : "kill-node needs another node to carry on: --nodes 2 or more";
                return null;
            }
        }
        if (conversations is < 1 or > 2000 || capacity < 1 || rate is < 1 or > 5000 || warmUpSeconds is < 0 or > 60 || durationSeconds is < 1 or > 600
            || faults is < 0 or > 100 || faultLength is < 0.1 or > 30 || settle is < 0 or > 30)
        {
            refusal = "conversations must be from 1 to 2000, capacity at least 1, rate from 1 to 5000, warm-up at most 60 s, duration from 1 s to 10 minutes, " +
                "faults from 0 to 100, fault length from 0.1 to 30 s, settle at most 30 s";
            return null;
        }
        return new ChaosSettings(conversations, capacity, rate, TimeSpan.FromSeconds(warmUpSeconds), TimeSpan.FromSeconds(durationSeconds), faults,
            (TimeSpan.FromSeconds(least), TimeSpan.FromSeconds(most)), TimeSpan.FromSeconds(faultLength), cycle, TimeSpan.FromSeconds(settle),
            seed ?? Random.Shared.Next(1, 100_000));
    }
}
