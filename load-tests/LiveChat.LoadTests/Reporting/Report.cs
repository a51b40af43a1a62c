using System.Globalization;
using System.Text;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Scenarios;

namespace LiveChat.LoadTests.Reporting;

/// <summary>Writes a run's results as Markdown, CSV and an HTML page with charts into its reports folder.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// A run of the chat scenario (<c>chat</c>, <c>overload</c>, <c>cold-start</c>): <paramref name="notes"/> are
    /// lines the command adds under the settings, such as how long a restart took.
    /// </summary>
    public static async Task<string> WriteAsync(string folder, string scenario, ChatSettings settings, IReadOnlyList<ScenarioResult> results,
        IReadOnlyList<string> notes, IReadOnlyList<string> verdicts)
    {
        Directory.CreateDirectory(folder);
        var markdown = Markdown(scenario, settings, results, notes, verdicts);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.csv"), Csv(results));
        await File.WriteAllTextAsync(Path.Combine(folder, "timeline.csv"), TimelineCsv(results));
        await HtmlReport.WriteAsync(folder, $"LiveChat load report: {scenario}",
            results.SelectMany(r => new[] { ($"{r.Target}, delivery", r.Delivery), ($"{r.Target}, ack", r.Ack) }).ToList(), markdown,
            results.Select(r => (r.Target, r.Timeline)).ToList());
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

    /// <summary>A scenario measured step by step (connect-storm): one latency row per step.</summary>
    public static async Task<string> WriteStepsAsync(string folder, string scenario, string description, IReadOnlyList<(string Step, LatencySummary Latency)> steps, IReadOnlyList<string> verdicts)
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
        md.AppendLine().AppendLine("## Checks").AppendLine();
        foreach (var verdict in verdicts)
            md.AppendLine($"- {verdict}");
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), md.ToString());
        await File.WriteAllTextAsync(Path.Combine(folder, "report.csv"), csv.ToString());
        await HtmlReport.WriteAsync(folder, $"LiveChat load report: {scenario}", steps.Where(s => s.Latency.Count > 0).ToList(), md.ToString());
        return folder;
    }

    private static string Markdown(string scenario, ChatSettings settings, IReadOnlyList<ScenarioResult> results, IReadOnlyList<string> notes, IReadOnlyList<string> verdicts)
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
    private static string Row(string name, LatencySummary l) => string.Create(Inv,
        $"| {name} | {l.Count} | {l.MinMs:0.00} | {l.MeanMs:0.00} | {l.MaxMs:0.00} | {l.StdDevMs:0.00} | {l.P50Ms:0.00} | {l.P75Ms:0.00} | {l.P95Ms:0.00} | {l.P99Ms:0.00} |");

    /// <summary>The same row as CSV.</summary>
    private static string CsvRow(string name, LatencySummary l) =>
        string.Join(',', new object[] { name, l.Count, l.MinMs, l.MeanMs, l.MaxMs, l.StdDevMs, l.P50Ms, l.P75Ms, l.P95Ms, l.P99Ms }.Select(v => Convert.ToString(v, Inv)));

    private static IEnumerable<string> BucketNames()
    {
        var edges = LatencySummary.BucketEdgesMs;
        for (var i = 0; i < edges.Length; i++)
            yield return i == 0 ? $"≤ {edges[0]} ms" : $"{edges[i - 1]}–{edges[i]} ms";
        yield return $"> {edges[^1]} ms";
    }
}
