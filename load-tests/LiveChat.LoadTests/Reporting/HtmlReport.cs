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

    public static Task WriteAsync(string folder, string title, IReadOnlyList<(string Name, LatencySummary Latency)> series, string markdown)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>");
        html.Append("<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}svg text{font:12px system-ui,sans-serif}pre{background:#f6f8fa;padding:1rem;overflow:auto}</style>");
        html.Append("<h1>").Append(E(title)).Append("</h1><h2>Latency percentiles (ms)</h2>");
        html.Append(PercentileChart(series));
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

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
