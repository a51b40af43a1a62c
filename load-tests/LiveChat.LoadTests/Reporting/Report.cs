using System.Globalization;
using System.Text;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Scenarios;
using LiveChat.LoadTests.Targets;

namespace LiveChat.LoadTests.Reporting;

/// <summary>Writes a run's results as Markdown, CSV and an HTML page with charts into its reports folder.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// A run of the chat scenario (<c>chat</c>, <c>overload</c>, <c>cold-start</c>, <c>supervisor</c>): <paramref name="notes"/>
    /// are lines the command adds under the settings, such as how long a restart took; on several nodes each node's CPU and
    /// memory also go in <c>nodes.csv</c>; <paramref name="dashboard"/> is
    /// what the supervisors saw meanwhile, with its lags in <c>dashboard.csv</c> and its pushes in <c>pushes.csv</c>.
    /// </summary>
    public static async Task<string> WriteAsync(string folder, string scenario, ChatSettings settings, IReadOnlyList<ScenarioResult> results,
        IReadOnlyList<string> notes, IReadOnlyList<string> verdicts, DashboardResult? dashboard = null)
    {
        Directory.CreateDirectory(folder);
        var markdown = Markdown(scenario, settings, results, notes, verdicts, dashboard);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.csv"), Csv(results));
        await File.WriteAllTextAsync(Path.Combine(folder, "timeline.csv"), TimelineCsv(results));
        if (results.Any(r => r.Nodes.Count > 1))
            await File.WriteAllTextAsync(Path.Combine(folder, "nodes.csv"), NodesCsv(results));
        var series = results.SelectMany(r => new[] { ($"{r.Target}, delivery", r.Delivery), ($"{r.Target}, ack", r.Ack) }).ToList();
        if (dashboard is not null)
        {
            series.AddRange(DashboardRows(dashboard).Select(row => ($"dashboard lag, {row.Name}", row.Latency)));
            var csv = new StringBuilder("lag,count,min_ms,mean_ms,max_ms,stddev_ms,p50_ms,p75_ms,p95_ms,p99_ms\n");
            foreach (var (name, latency) in DashboardRows(dashboard))
                csv.AppendLine(CsvRow(name, latency));
            await File.WriteAllTextAsync(Path.Combine(folder, "dashboard.csv"), csv.ToString());
            await File.WriteAllTextAsync(Path.Combine(folder, "pushes.csv"), PushesCsv(dashboard));
        }
        await HtmlReport.WriteAsync(folder, $"LiveChat load report: {scenario}", series, markdown, results.Select(r => (r.Target, r.Timeline)).ToList());
        return folder;
    }

    public static async Task<string> WriteAsync(string folder, LongConversationResult result, IReadOnlyList<string> verdicts)
    {
        Directory.CreateDirectory(folder);
        var md = new StringBuilder("# LiveChat load report: long-conversation\n\n");
        md.AppendLine(Inv, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, one conversation of {result.Messages} messages.").AppendLine();
        md.AppendLine("| messages | count | min | mean | max | stddev | p50 | p75 | p95 | p99 |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, l) in new[] { ("first hundred", result.First), ("last hundred", result.Last) })
            md.AppendLine(Row(name, l));
        md.AppendLine().AppendLine(Inv, $"p99 growth, last hundred to first hundred: **{result.P99Growth:0.00}**").AppendLine().AppendLine("## Thresholds").AppendLine();
        foreach (var verdict in verdicts)
            md.AppendLine($"- {verdict}");
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), md.ToString());
        await HtmlReport.WriteAsync(folder, "LiveChat load report: long-conversation", [("first hundred", result.First), ("last hundred", result.Last)], md.ToString());
        var csv = new StringBuilder("window,count,min_ms,mean_ms,max_ms,stddev_ms,p50_ms,p75_ms,p95_ms,p99_ms\n");
        foreach (var (name, l) in new[] { ("first", result.First), ("last", result.Last) })
            csv.AppendLine(CsvRow(name, l));
        await File.WriteAllTextAsync(Path.Combine(folder, "report.csv"), csv.ToString());
        return folder;
    }

    /// <summary>A scenario measured step by step (connect-storm): one latency row per step, then any <paramref name="notes"/>, a paragraph each.</summary>
    public static async Task<string> WriteStepsAsync(string folder, string scenario, string description, IReadOnlyList<(string Step, LatencySummary Latency)> steps,
        IReadOnlyList<string> verdicts, IReadOnlyList<string>? notes = null)
    {
        Directory.CreateDirectory(folder);
        var md = new StringBuilder($"# LiveChat load report: {scenario}\n\n");
        md.AppendLine(Inv, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores. {description}").AppendLine();
        md.AppendLine("| step | count | min | mean | max | stddev | p50 | p75 | p95 | p99 (ms) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        var csv = new StringBuilder("step,count,min_ms,mean_ms,max_ms,stddev_ms,p50_ms,p75_ms,p95_ms,p99_ms\n");
        foreach (var (step, l) in steps)
        {
            md.AppendLine(Row(step, l));
            csv.AppendLine(CsvRow(step, l));
        }
        foreach (var note in notes ?? [])
            md.AppendLine().AppendLine(note);
        md.AppendLine().AppendLine("## Checks").AppendLine();
        foreach (var verdict in verdicts)
            md.AppendLine($"- {verdict}");
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), md.ToString());
        await File.WriteAllTextAsync(Path.Combine(folder, "report.csv"), csv.ToString());
        await HtmlReport.WriteAsync(folder, $"LiveChat load report: {scenario}", steps.Where(s => s.Latency.Count > 0).ToList(), md.ToString());
        return folder;
    }

    private static string Markdown(string scenario, ChatSettings settings, IReadOnlyList<ScenarioResult> results, IReadOnlyList<string> notes, IReadOnlyList<string> verdicts,
        DashboardResult? dashboard)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# LiveChat load report: {scenario}").AppendLine();
        md.AppendLine(Inv, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {settings.Conversations} conversations, " +
            $"agents carrying {settings.Capacity} each, {settings.WarmUp.TotalSeconds:0} s warm-up, {settings.Duration.TotalSeconds:0} s measured.").AppendLine();
        md.AppendLine(Inv, $"Load simulation {settings.Load.Describe()}.").AppendLine();
        foreach (var note in notes)
            md.AppendLine(note).AppendLine();
        md.AppendLine("| target | ok | fail | RPS | lost | duplicated | out of order | server CPU % | server peak MB | KB per idle connection |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
            md.AppendLine(Inv, $"| {r.Target} | {r.Ok} | {r.Failed} | {r.Rps:0.0} | {r.Lost} | {r.Duplicated} | {r.OutOfOrder} | {r.CpuPercent:0} | {r.PeakMemoryMb:0} | " +
                $"{(double.IsNaN(r.MemoryPerConnectionKb) ? "n/a (restarted)" : r.MemoryPerConnectionKb.ToString("0.0", Inv))} |");
        foreach (var (title, rows) in new (string, Func<ScenarioResult, IEnumerable<(string, LatencySummary)>>)[] { (DeliveryTitle(settings), DeliveryRows), (AckTitle(settings), r => [(r.Target, r.Ack)]) })
        {
            md.AppendLine().AppendLine(Inv, $"## {title}").AppendLine();
            md.AppendLine("| target | count | min | mean | max | stddev | p50 | p75 | p95 | p99 |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var (name, latency) in results.SelectMany(rows))
                md.AppendLine(Row(name, latency));
        }
        md.AppendLine().AppendLine("## Delivery latency buckets").AppendLine();
        md.AppendLine("| target | " + string.Join(" | ", BucketNames()) + " |");
        md.AppendLine("|---|" + string.Concat(BucketNames().Select(_ => "---|")));
        foreach (var r in results)
            md.AppendLine($"| {r.Target} | " + string.Join(" | ", r.Delivery.Buckets) + " |");
        if (results.Count == 2 && results[1].Delivery.P99Ms > 0)
            md.AppendLine().AppendLine(Inv, $"p99 ratio, {results[0].Target} to {results[1].Target}: **{results[0].Delivery.P99Ms / results[1].Delivery.P99Ms:0.00}**");
        if (results.Any(r => r.Nodes.Count > 1))
            ServerProcesses(md, results);
        if (dashboard is not null)
            Dashboard(md, dashboard, settings);
        md.AppendLine().AppendLine("## Timeline").AppendLine();
        md.AppendLine("Seconds from the end of the warm-up. Sent and delivered are per second; latency is that of the messages sent in the slice, in ms. " +
            "Send lag is how late the load generator issued its sends behind the clock (open loop): latency up to that much is the generator's, not the server's.");
        foreach (var r in results)
        {
            md.AppendLine().AppendLine(Inv, $"{r.Target}:").AppendLine();
            md.AppendLine("| seconds | sent/s | delivered/s | failed | send lag p99 | p50 | p99 | max |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var p in r.Timeline)
                md.AppendLine(Inv, $"| {p.FromSecond:0}–{p.ToSecond:0} | {p.SentPerSecond:0} | {p.DeliveredPerSecond:0} | {p.Failed} | {p.SendLagP99Ms:0.00} | {p.P50Ms:0.00} | {p.P99Ms:0.00} | {p.MaxMs:0.00} |");
        }
        md.AppendLine().AppendLine("## Thresholds").AppendLine();
        foreach (var verdict in verdicts)
            md.AppendLine($"- {verdict}");
        return md.ToString();
    }

    private static void ServerProcesses(StringBuilder md, IReadOnlyList<ScenarioResult> results)
    {
        md.AppendLine().AppendLine("## Server processes").AppendLine();
        md.AppendLine("Each node's average CPU (percent of one core) and peak working set through the load; the sum is what the table above shows.").AppendLine();
        md.AppendLine("| target | node | process id | CPU % | peak MB |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var r in results)
        {
            foreach (var (node, i) in r.Nodes.Select((n, i) => (n, i)))
                md.AppendLine(Inv, $"| {r.Target} | node {i + 1} | {node.ProcessId} | {node.CpuPercent:0} | {node.PeakMemoryMb:0} |");
            md.AppendLine(Inv, $"| {r.Target} | **sum** | | {r.CpuPercent:0} | {r.PeakMemoryMb:0} |");
        }
    }

    private static void Dashboard(StringBuilder md, DashboardResult d, ChatSettings settings)
    {
        var sightings = d.Shown.Count + d.Gone.Count;
        md.AppendLine().AppendLine(Inv, $"## Dashboard lag, {d.Supervisors} supervisors").AppendLine();
        md.AppendLine(Inv, $"Through the measured {settings.Duration.TotalSeconds:0} s, about once a second, a probe visitor started a conversation in the queue " +
            $"`{LiveChatBackend.UnattendedQueue}`, which no agent serves, and closed it once every supervisor had seen it ({d.Probes} probes, {d.FailedProbes} failed). " +
            $"Lag runs from the moment `StartConversation` (or `CloseConversation`) answered until a supervisor received a `DashboardUpdated` " +
            $"showing the probe waiting (or gone), one per probe and supervisor. {d.Early} of the {sightings} sightings came before the call had answered " +
            $"and count as 0 ms; {d.Missed} never came within {SupervisorScenario.SightingTimeout.TotalSeconds:0} s. " +
            $"The node pushes at most once per {d.Interval.TotalMilliseconds:0} ms.").AppendLine();
        md.AppendLine("| lag | count | min | mean | max | stddev | p50 | p75 | p95 | p99 |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, latency) in DashboardRows(d))
            md.AppendLine(Row(name, latency));
        md.AppendLine().AppendLine("### Pushes per supervisor").AppendLine();
        md.AppendLine("Counted by the server's time of each push (`DashboardView.at`). Measured: the measured window. Whole run: from the supervisors' " +
            "connecting, before the conversations were opened and their agents went online, to the end. Busiest second: the most pushes within any one second.").AppendLine();
        md.AppendLine("| supervisor | measured: pushes | per second | busiest second | shortest gap ms | whole run: pushes | per second | busiest second | shortest gap ms | out of order |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (measured, whole, i) in d.Measured.Zip(d.WholeRun, Enumerable.Range(0, d.Supervisors)))
            md.AppendLine(Inv, $"| supervisor{i} | {measured.Pushes} | {measured.MeanPerSecond:0.00} | {measured.BusiestSecond} | {Gap(measured)} | " +
                $"{whole.Pushes} | {whole.MeanPerSecond:0.00} | {whole.BusiestSecond} | {Gap(whole)} | {whole.OutOfOrder} |");

        static string Gap(PushSummary p) => p.ShortestGapMs is { } gap ? gap.ToString("0.0", Inv) : "n/a";
    }

    private static IEnumerable<(string Name, LatencySummary Latency)> DashboardRows(DashboardResult d) =>
        [("probe shown waiting", d.Shown), ("probe shown gone", d.Gone), ("both", d.Lag)];

    private static string PushesCsv(DashboardResult d)
    {
        var csv = new StringBuilder("supervisor,window,pushes,per_second,busiest_second,shortest_gap_ms,out_of_order\n");
        foreach (var (window, pushes) in new[] { ("measured", d.Measured), ("whole_run", d.WholeRun) })
            for (var i = 0; i < pushes.Count; i++)
                csv.AppendLine(string.Join(',', new object?[] { $"supervisor{i}", window, pushes[i].Pushes, pushes[i].MeanPerSecond, pushes[i].BusiestSecond,
                    pushes[i].ShortestGapMs, pushes[i].OutOfOrder }.Select(v => Convert.ToString(v, Inv))));
        return csv.ToString();
    }

    // Timed only when no warm-up went first (cold-start): then each is its conversation's first call after the start.
    private static IEnumerable<(string, LatencySummary)> DeliveryRows(ScenarioResult r) => r.FirstMessages.Count > 0
        ? [(r.Target, r.Delivery), ($"{r.Target}, first message of each conversation and direction", r.FirstMessages)]
        : [(r.Target, r.Delivery)];

    private static string DeliveryTitle(ChatSettings settings) => settings.Load.OpenLoop
        ? "Delivery latency (scheduled send to receipt by the other side), ms"
        : "Delivery latency (send to receipt by the other side), ms";

    private static string AckTitle(ChatSettings settings) => settings.Load.OpenLoop
        ? "Ack latency (scheduled send to ack), ms"
        : "Ack latency (send to ack), ms";

    private static string TimelineCsv(IReadOnlyList<ScenarioResult> results)
    {
        var csv = new StringBuilder("target,from_s,to_s,sent_per_s,delivered_per_s,failed,send_lag_p99_ms,p50_ms,p99_ms,max_ms\n");
        foreach (var r in results)
            foreach (var p in r.Timeline)
                csv.AppendLine(string.Join(',', new object[] { r.Target, p.FromSecond, p.ToSecond, p.SentPerSecond, p.DeliveredPerSecond, p.Failed, p.SendLagP99Ms, p.P50Ms, p.P99Ms, p.MaxMs }
                    .Select(v => Convert.ToString(v, Inv))));
        return csv.ToString();
    }

    private static string NodesCsv(IReadOnlyList<ScenarioResult> results)
    {
        var csv = new StringBuilder("target,node,process_id,cpu_percent,peak_mb\n");
        foreach (var r in results)
            foreach (var (node, i) in r.Nodes.Select((n, i) => (n, i)))
                csv.AppendLine(string.Join(',', new object[] { r.Target, i + 1, node.ProcessId, node.CpuPercent, node.PeakMemoryMb }.Select(v => Convert.ToString(v, Inv))));
        return csv.ToString();
    }

    private static string Csv(IReadOnlyList<ScenarioResult> results)
    {
        var csv = new StringBuilder("target,metric,count,min_ms,mean_ms,max_ms,stddev_ms,p50_ms,p75_ms,p95_ms,p99_ms,ok,fail,rps,lost,duplicated,out_of_order,cpu_percent,peak_mb\n");
        foreach (var r in results)
            foreach (var (metric, l) in new[] { ("delivery", r.Delivery), ("ack", r.Ack) })
                csv.AppendLine(string.Join(',', new object[] { r.Target, metric, l.Count, l.MinMs, l.MeanMs, l.MaxMs, l.StdDevMs, l.P50Ms, l.P75Ms, l.P95Ms, l.P99Ms,
                    r.Ok, r.Failed, r.Rps, r.Lost, r.Duplicated, r.OutOfOrder, r.CpuPercent, r.PeakMemoryMb }.Select(v => Convert.ToString(v, Inv))));
        return csv.ToString();
    }

    /// <summary>One latency row of a Markdown table: name, count, min, mean, max, stddev, p50, p75, p95, p99.</summary>
    internal static string Row(string name, LatencySummary l) => string.Create(Inv,
        $"| {name} | {l.Count} | {l.MinMs:0.00} | {l.MeanMs:0.00} | {l.MaxMs:0.00} | {l.StdDevMs:0.00} | {l.P50Ms:0.00} | {l.P75Ms:0.00} | {l.P95Ms:0.00} | {l.P99Ms:0.00} |");

    /// <summary>The same row as CSV.</summary>
    internal static string CsvRow(string name, LatencySummary l) =>
        string.Join(',', new object[] { name, l.Count, l.MinMs, l.MeanMs, l.MaxMs, l.StdDevMs, l.P50Ms, l.P75Ms, l.P95Ms, l.P99Ms }.Select(v => Convert.ToString(v, Inv)));

    private static IEnumerable<string> BucketNames()
    {
        var edges = LatencySummary.BucketEdgesMs;
        for (var i = 0; i < edges.Length; i++)
            yield return i == 0 ? $"≤ {edges[0]} ms" : $"{edges[i - 1]}–{edges[i]} ms";
        yield return $"> {edges[^1]} ms";
    }
}
