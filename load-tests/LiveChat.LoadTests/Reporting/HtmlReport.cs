using System.Globalization;
using System.Net;
using System.Text;
using LiveChat.LoadTests.Measurement;

namespace LiveChat.LoadTests.Reporting;

/// <summary>
/// The report as one self-contained HTML page: the latency percentiles of each series as bars in inline SVG, and the
/// Markdown report's text below. No scripts and nothing fetched, so it opens anywhere.
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Colours = ["#2563eb", "#9ca3af", "#16a34a", "#dc2626", "#9333ea"];

    public static Task WriteAsync(string folder, string title, IReadOnlyList<(string Name, LatencySummary Latency)> series, string markdown,
        IReadOnlyList<(string Name, IReadOnlyList<TimelinePoint> Points)>? timelines = null)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>");
        html.Append("<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}svg text{font:12px system-ui,sans-serif}pre{background:#f6f8fa;padding:1rem;overflow:auto}</style>");
        html.Append("<h1>").Append(E(title)).Append("</h1><h2>Latency percentiles (ms)</h2>");
        html.Append(PercentileChart(series));
        if (timelines is { Count: > 0 })
        {
            html.Append("<h2>p99 delivery latency of the messages sent in each slice (ms)</h2>");
            html.Append(LineChart(timelines.Select(t => (t.Name, Points(t.Points, p => p.P99Ms))).ToList()));
            html.Append("<h2>Sent and delivered per second</h2>");
            html.Append(LineChart(timelines.SelectMany(t => new[]
            {
                ($"{t.Name}, sent", Points(t.Points, p => p.SentPerSecond)), ($"{t.Name}, delivered", Points(t.Points, p => p.DeliveredPerSecond)),
            }).ToList()));
        }
        html.Append("<h2>Report</h2><pre>").Append(E(markdown)).Append("</pre></html>");
        return File.WriteAllTextAsync(Path.Combine(folder, "report.html"), html.ToString());
    }

    /// <summary>Grouped horizontal bars: for each percentile, one bar per series, on a shared scale.</summary>
    private static string PercentileChart(IReadOnlyList<(string Name, LatencySummary Latency)> series)
    {
        var points = new (string Label, Func<LatencySummary, double> Pick)[]
        {
            ("p50", l => l.P50Ms), ("p75", l => l.P75Ms), ("p95", l => l.P95Ms), ("p99", l => l.P99Ms), ("max", l => l.MaxMs),
        };
        var scale = Math.Max(0.001, series.Max(s => s.Latency.MaxMs));
        const int left = 60, width = 600, bar = 14;
        var rowHeight = bar * series.Count + 10;
        var height = points.Length * rowHeight + 20 + 18 * series.Count;
        var svg = new StringBuilder(FormattableString.Invariant($"<svg width=\"{left + width + 80}\" height=\"{height}\" role=\"img\">"));
        for (var p = 0; p < points.Length; p++)
        {
            var y0 = p * rowHeight;
            svg.Append(Inv, $"<text x=\"0\" y=\"{y0 + bar}\">{points[p].Label}</text>");
            for (var s = 0; s < series.Count; s++)
            {
                var value = points[p].Pick(series[s].Latency);
                var w = Math.Max(1, value / scale * width);
                var y = y0 + s * bar;
                svg.Append(Inv, $"<rect x=\"{left}\" y=\"{y}\" width=\"{w:0.#}\" height=\"{bar - 2}\" fill=\"{Colours[s % Colours.Length]}\"/>");
                svg.Append(Inv, $"<text x=\"{left + w + 4:0.#}\" y=\"{y + bar - 3}\">{value:0.00}</text>");
            }
        }
        var legendY = points.Length * rowHeight + 10;
        for (var s = 0; s < series.Count; s++)
        {
            svg.Append(Inv, $"<rect x=\"{left}\" y=\"{legendY + s * 18}\" width=\"12\" height=\"12\" fill=\"{Colours[s % Colours.Length]}\"/>");
            svg.Append(Inv, $"<text x=\"{left + 18}\" y=\"{legendY + s * 18 + 11}\">{E(series[s].Name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static IReadOnlyList<(double X, double Y)> Points(IReadOnlyList<TimelinePoint> points, Func<TimelinePoint, double> pick) =>
        points.Select(p => ((p.FromSecond + p.ToSecond) / 2, pick(p))).ToList();

    /// <summary>Lines over the measured seconds, one per series, from zero to the highest value, with the scale's top and the time labelled.</summary>
    private static string LineChart(IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        const int left = 60, width = 600, height = 200;
        var xMax = Math.Max(1, series.SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(1).Max());
        var yMax = Math.Max(0.001, series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(1).Max());
        var svg = new StringBuilder(FormattableString.Invariant($"<svg width=\"{left + width + 20}\" height=\"{height + 40 + 18 * series.Count}\" role=\"img\">"));
        svg.Append(Inv, $"<line x1=\"{left}\" y1=\"{height}\" x2=\"{left + width}\" y2=\"{height}\" stroke=\"#999\"/><line x1=\"{left}\" y1=\"0\" x2=\"{left}\" y2=\"{height}\" stroke=\"#999\"/>");
        svg.Append(Inv, $"<text x=\"0\" y=\"12\">{yMax:0.##}</text><text x=\"0\" y=\"{height}\">0</text>");
        svg.Append(Inv, $"<text x=\"{left}\" y=\"{height + 16}\">0 s</text><text x=\"{left + width - 40}\" y=\"{height + 16}\">{xMax:0} s</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var points = string.Join(' ', series[s].Points.Select(p => FormattableString.Invariant($"{left + p.X / xMax * width:0.#},{height - p.Y / yMax * height:0.#}")));
            svg.Append(Inv, $"<polyline fill=\"none\" stroke-width=\"2\" stroke=\"{Colours[s % Colours.Length]}\" points=\"{points}\"/>");
            var legendY = height + 28 + s * 18;
            svg.Append(Inv, $"<rect x=\"{left}\" y=\"{legendY}\" width=\"12\" height=\"12\" fill=\"{Colours[s % Colours.Length]}\"/>");
            svg.Append(Inv, $"<text x=\"{left + 18}\" y=\"{legendY + 11}\">{E(series[s].Name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
