using System.Diagnostics;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;

namespace LiveChat.LoadTests.Scenarios;

/// <summary>What a <c>rush</c> run measured; <see cref="SliceSize"/> arrivals in each of the first and last slices.</summary>
public sealed record RushResult(
    int Visitors, TimeSpan Within, int Agents, IReadOnlyList<(string Step, LatencySummary Latency)> Steps,
    LatencySummary Start, LatencySummary FirstArrivals, LatencySummary LastArrivals, int SliceSize, int Failed, int Assigned,
    PlaceCheck Answered, PlaceCheck LastKnown, int PushedBack, int VisitorsPushed, PushRateSummary Pushes, IReadOnlyList<long> PushesPerSecond,
    double MemoryBeforeMb, double MemoryAfterMb, double PeakMemoryMb)
{
    /// <summary>The last slice's p99 over the first's: above 1, a start costs more the longer the queue it joins.</summary>
    public double SliceRatio => FirstArrivals.P99Ms > 0 ? LastArrivals.P99Ms / FirstArrivals.P99Ms : double.PositiveInfinity;

    public int Waiting => LastKnown.Count;

    public double MemoryPerWaitingKb => ServerMemory.PerHeadKb(MemoryBeforeMb, MemoryAfterMb, Waiting);
}

/// <summary>
/// The <c>rush</c> scenario, the outage rush: everyone opens the chat at once when a service breaks. Visitors arrive on
/// an open-loop schedule within a few seconds; each opens a session, connects and starts a conversation, and, with no
/// agents (or with agents who keep the chats they get), all but the first few wait. The suite times
/// <c>StartConversation</c> overall and for the first and the last arrivals, counts the position pushes the crowd
/// receives each second, and checks that the places handed out, and each visitor's last known place after a settle,
/// are 1..n, each once: nobody lost their place. A few visitors warm the node up first, in a queue of their own.
/// </summary>
public static class RushScenario
{
    /// <summary>Arrivals in each of the first and last slices, when there are twice as many visitors.</summary>
    public const int Slice = 200;

    /// <summary>After the last arrival: time for the queue's settling round of places (2 s after the line stood still, docs/protocol.md 9.4) to arrive, with room to spare.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(4);

    /// <summary>Visitors who go first, unmeasured and in another queue, so that the first slice is not a cold node's.</summary>
    public const int WarmUpVisitors = 50;

    // However slow the server, the run ends: a visitor not through this long after the last arrival is counted as failed.
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    public static async Task<RushResult> RunAsync(LiveChatBackend backend, int visitors, TimeSpan within, int agents, Action<string> progress, CancellationToken cancellationToken)
    {
        var agentConnections = await backend.ConnectAgentsAsync(agents, cancellationToken);
        progress($"{backend.Name}: {WarmUpVisitors} visitors warm the node up in a queue of their own");
        await QueueVisitors.WarmUpAsync(backend, WarmUpVisitors, cancellationToken);
        var server = backend.ServerProcesses[0];
        var memoryBefore = await ServerMemory.SettledMb(server, cancellationToken);
        await using var sampler = new ProcessSampler(server);
        await using var crowd = new QueueVisitors(backend, visitors, within + Grace + Settle);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(within + Grace);

        progress($"{backend.Name}: {visitors} visitors rushing in within {within.TotalSeconds:0.#} s, {agents} agents online");
        var begin = Stopwatch.GetTimestamp();
        crowd.PositionPushes.StartsAt(begin);
        await crowd.ArriveAsync(0, visitors, OpenLoop.PerSecond(visitors, within), bounded.Token);
        await Task.Delay(Settle, cancellationToken);
        var seconds = (int)Math.Ceiling(Stopwatch.GetElapsedTime(begin).TotalSeconds);
        var memoryAfter = await ServerMemory.SettledMb(server, cancellationToken);

        var started = crowd.Started;
        var slice = Math.Min(Slice, visitors / 2);
        var (first, last) = (crowd.Start.Summarise(0, slice), crowd.Start.Summarise(visitors - slice, slice));
        var result = new RushResult(visitors, within, agents,
            [("session", crowd.Session.Summarise()), ("connect", crowd.Connect.Summarise()), ("start conversation, all", crowd.Start.All()),
             ($"start conversation, first {slice} arrivals", first), ($"start conversation, last {slice} arrivals", last)],
            crowd.Start.All(), first, last, slice, crowd.Failed, started.Count(crowd.Places.HeardAssigned),
            PlaceCheck.Of(Places(started, crowd.Places.AnsweredPlace)), PlaceCheck.Of(Places(started, crowd.Places.LastKnownPlace)),
            crowd.Places.PushedBack, crowd.Places.VisitorsPushed, crowd.PositionPushes.Summarise(0, seconds), crowd.PositionPushes.PerSecond(0, seconds),
            memoryBefore, memoryAfter, sampler.PeakMemoryMb);
        await Task.WhenAll(agentConnections.Select(h => h.DisposeAsync().AsTask()));
        return result;
    }

    /// <summary>The open loop's pace: <paramref name="visitors"/> spread evenly over <paramref name="within"/>.</summary>

    /// <summary>The places of those of <paramref name="visitors"/> who have one.</summary>
    internal static IReadOnlyCollection<int> Places(IEnumerable<int> visitors, Func<int, int?> place) =>
        visitors.Select(place).OfType<int>().ToList();
}
