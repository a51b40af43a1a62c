using System.Globalization;
using System.Text;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Scenarios;
using Spectre.Console;

namespace LiveChat.LoadTests.Reporting;

/// <summary>
/// The reports of the outage rush's commands (<c>rush</c>, <c>steady-queue</c>, <c>announce</c>): the steps' latency
/// table and what else each measured, in words, in <c>report.md</c>, <c>report.csv</c> and <c>report.html</c>; the
/// position pushes of each second in <c>pushes.csv</c>; and a short summary on the console.
/// </summary>
public static class OutageRushReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<string> WriteAsync(string folder, RushResult r, IReadOnlyList<string> verdicts)
    {
        var description = string.Create(Inv,
            $"{r.Visitors} visitors arriving within {r.Within.TotalSeconds:0.#} s ({OpenLoop.PerSecond(r.Visitors, r.Within)} a second, open loop), " +
            $"each opening a session, connecting to /hubs/visitor and calling StartConversation; {r.Agents} agents online, of 5 chats each, who keep the chats they get. " +
            $"{RushScenario.WarmUpVisitors} visitors went through the same steps first, unmeasured, and wait in a queue of their own.");
        string[] notes =
        [
            string.Create(Inv, $"StartConversation p99, last {r.SliceSize} arrivals to the first {r.SliceSize}: **{r.SliceRatio:0.00}**."),
            string.Create(Inv, $"Places: as answered, {r.Answered.Describe("queued visitors'")}. {RushScenario.Settle.TotalSeconds:0} s after the last arrival, " +
                $"{r.LastKnown.Describe("waiting visitors' last known")} (the last ConversationUpdated each visitor received, or the answer when none came); " +
                $"{r.VisitorsPushed} visitors received a position push, {r.PushedBack} were told a later place than before; {r.Assigned} were assigned."),
            Pushes(r.Pushes, $"over the {r.PushesPerSecond.Count} s of the arrivals and the settle"),
            Memory(r.MemoryBeforeMb, r.MemoryAfterMb, r.PeakMemoryMb) +
                string.Create(Inv, $" **{r.MemoryPerWaitingKb:0.0} KB per waiting visitor** ({r.Waiting} waiting, their connections and sessions included)."),
        ];
        await Report.WriteStepsAsync(folder, "rush", description, r.Steps, verdicts, notes);
        await WritePushesAsync(folder, r.PushesPerSecond);
        return folder;
    }

    public static async Task<string> WriteAsync(string folder, SteadyQueueResult r, IReadOnlyList<string> verdicts)
    {
        var description = string.Create(Inv,
            $"A queue of about {r.Waiting} waiting visitors for {r.Agents} agents of one chat each. It filled at {Math.Max(r.Rate, SteadyQueueScenario.FillPerSecond)} visitors a second; " +
            $"then, for {r.Duration.TotalSeconds:0} s, the agents closed {r.Rate} chats a second between them (each close freeing a slot for the next waiting visitor) " +
            $"while {r.Rate} new visitors arrived a second (open loop), {r.Arrivals} visitors in all.");
        string[] notes =
        [
            string.Create(Inv, $"Assignments: {r.Closed} chats closed in {r.Duration.TotalSeconds:0} s, {r.AssignmentsPerSecond:0.0} a second of the {r.Rate} asked; {r.CloseFailures} closes refused."),
            string.Create(Inv, $"At the end (closes stopped, then {RushScenario.Settle.TotalSeconds:0} s to settle), of the visitors whose start was answered: {r.Assigned} assigned " +
                $"(an agent got the chat and they heard), {r.StillWaiting} still waiting, {r.Lost} neither: {r.Untold} assigned without hearing it, " +
                $"{r.Unheld} told of an agent though no agent got the chat, {r.Placeless} with no place. {r.LastKnown.Describe("waiting visitors' last known")} " +
                $"(the last ConversationUpdated each received, or the answer when none came); {r.PushedBack} visitors were ever told a later place than before."),
            Pushes(r.Pushes, $"over the {r.Duration.TotalSeconds:0} s the queue moved") +
                (r.StillWaiting > 0 ? string.Create(Inv, $" That is {r.Pushes.PerSecond / r.StillWaiting:0.00} a second per waiting visitor.") : ""),
            Memory(r.MemoryBeforeMb, r.MemoryAfterMb, r.PeakMemoryMb) + " The growth includes the agents, the closed chats and every visitor's connection, not only those waiting.",
        ];
        await Report.WriteStepsAsync(folder, "steady-queue", description, r.Steps, verdicts, notes);
        await WritePushesAsync(folder, r.PushesPerSecond);
        return folder;
    }

    public static Task<string> WriteAsync(string folder, AnnounceResult r, IReadOnlyList<string> verdicts)
    {
        var description = string.Create(Inv,
            $"{r.Visitors} visitors connected to /hubs/visitor (no conversation), {r.Connected} of them successfully; then one supervisor published an announcement. " +
            $"Delivery runs from the moment the PublishAnnouncement call was made until a visitor's AnnouncementPublished arrived.");
        string[] notes =
        [
            string.Create(Inv, $"{r.InTime} of {r.Connected} connected visitors received the announcement within {r.Bound.TotalSeconds:0} s of the call, {r.Never} never did; " +
                $"{r.StillConnected} were still connected at the end."),
            Memory(r.MemoryBeforeMb, r.MemoryAfterMb, r.PeakMemoryMb) + string.Create(Inv, $" **{r.MemoryPerVisitorKb:0.0} KB per connected visitor** (sessions included)."),
            .. r.RelayDelivery is { } relay
                ? [string.Create(Inv, $"The bare relay, in the same run, broadcast one message to {r.Connected} plain connections: p99 {relay.P99Ms:0.0} ms, {r.RelayNever} never got it; LiveChat's p99 is **{r.RelayRatio:0.00}×** the relay's.")]
                : Array.Empty<string>(),
        ];
        List<(string, LatencySummary)> steps = [("session", r.Session), ("connect", r.Connect), ("publish call answered", r.Publish), ("announcement delivery", r.Delivery)];
        if (r.RelayDelivery is { } baseline)
            steps.Add(("bare relay: broadcast delivery", baseline));
        return Report.WriteStepsAsync(folder, "announce", description, steps, verdicts, notes);
    }

    public static void Print(RushResult r) => Print(r.Steps,
        string.Create(Inv, $"p99 last {r.SliceSize} / first {r.SliceSize}: {r.SliceRatio:0.00}; position pushes {r.Pushes.PerSecond:0.0}/s on average, at most {r.Pushes.BusiestSecond} in one second; ") +
        string.Create(Inv, $"{r.MemoryPerWaitingKb:0.0} KB per waiting visitor ({r.Waiting} waiting)."));

    public static void Print(SteadyQueueResult r) => Print(r.Steps,
        string.Create(Inv, $"{r.AssignmentsPerSecond:0.0} assignments/s; position pushes {r.Pushes.PerSecond:0.0}/s on average, at most {r.Pushes.BusiestSecond} in one second; ") +
        string.Create(Inv, $"{r.Assigned} assigned, {r.StillWaiting} waiting, {r.Lost} neither."));

    public static void Print(AnnounceResult r) => Print(
        [("connect", r.Connect), ("publish call answered", r.Publish), ("announcement delivery", r.Delivery), .. r.RelayDelivery is { } relay ? [("bare relay: broadcast delivery", relay)] : Array.Empty<(string, LatencySummary)>()],
        string.Create(Inv, $"{r.InTime} of {r.Connected} received it within {r.Bound.TotalSeconds:0} s; {r.MemoryPerVisitorKb:0.0} KB per connected visitor; p99 {r.RelayRatio:0.00}× the relay's."));

    private static void Print(IReadOnlyList<(string Step, LatencySummary Latency)> steps, string line)
    {
        var table = new Table().AddColumns("step", "count", "p50 ms", "p95 ms", "p99 ms", "max ms");
        foreach (var (step, l) in steps)
            table.AddRow(new[] { step, l.Count.ToString(Inv), F(l.P50Ms), F(l.P95Ms), F(l.P99Ms), F(l.MaxMs) }.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(line);

        static string F(double value) => value.ToString("0.0", Inv);
    }

    private static string Pushes(PushRateSummary p, string window) => string.Create(Inv,
        $"Position pushes (a ConversationUpdated while waiting), all visitors together, {window}: **{p.PerSecond:0.0} a second on average, {p.BusiestSecond} in the busiest second**, " +
        $"{p.Pushes} in all. Each second's count is in pushes.csv.");

    private static string Memory(double beforeMb, double afterMb, double peakMb) => string.Create(Inv,
        $"Server working set: {beforeMb:0} MB before, {afterMb:0} MB after (each read a second after the last step), {peakMb:0} MB at the peak.");

    private static Task WritePushesAsync(string folder, IReadOnlyList<long> perSecond)
    {
        var csv = new StringBuilder("second,position_pushes\n");
        for (var second = 0; second < perSecond.Count; second++)
            csv.AppendLine(Inv, $"{second},{perSecond[second]}");
        return File.WriteAllTextAsync(Path.Combine(folder, "pushes.csv"), csv.ToString());
    }
}
