using System.Diagnostics;
using System.Globalization;
using LiveChat.LoadTests.Measurement;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LiveChat.LoadTests.Reporting;

/// <summary>
/// The console while a run is under way. A person at a terminal sees a live table (the load's level, the current
/// rate, sent and received, p99 so far, errors) with the latest events under it. When the output is redirected or
/// CI=true, a plain line every few seconds takes its place: it reads well in a log, and the smoke tests, which run
/// the suite with its output redirected, see nothing but lines.
/// </summary>
public sealed class LiveProgress
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LiveEvery = TimeSpan.FromMilliseconds(500);
    private const int EventsShown = 6;

    private readonly Queue<string> _events = new();
    private readonly Lock _lock = new();
    private bool _live;

    public static bool Interactive { get; } =
        !Console.IsOutputRedirected && !RunningInCi() && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>An event of the run ("opening 2000 conversations"): a line of its own, or under the live table while one shows.</summary>
    public void Line(string text)
    {
        if (!Interactive)
        {
            // Straight to the output: a log has no width, so nothing should wrap a line.
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {text}");
            return;
        }
        var line = $"[grey]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(text)}";
        lock (_lock)
        {
            if (_live)
            {
                _events.Enqueue(line);
                while (_events.Count > EventsShown)
                    _events.Dequeue();
                return;
            }
        }
        AnsiConsole.MarkupLine(line);
    }

    /// <summary>Runs <paramref name="run"/> against fresh stats for <paramref name="target"/> and shows them until it ends.</summary>
    public async Task<T> WatchAsync<T>(string target, Func<RunStats, Task<T>> run)
    {
        var stats = new RunStats(target);
        var rate = new DeliveryRate(stats);
        if (!Interactive)
        {
            var plainRun = run(stats);
            while (await Task.WhenAny(plainRun, Task.Delay(PlainEvery)) != plainRun)
                if (stats.LoadElapsed > TimeSpan.Zero)
                    Line(PlainLine(stats, rate.Next()));
            return await plainRun;
        }

        lock (_lock)
            _live = true;
        try
        {
            return await AnsiConsole.Live(Render(stats, 0)).AutoClear(false).StartAsync(async context =>
            {
                var liveRun = run(stats);
                while (await Task.WhenAny(liveRun, Task.Delay(LiveEvery)) != liveRun)
                    context.UpdateTarget(Render(stats, rate.Next()));
                context.UpdateTarget(Render(stats, rate.Next()));
                return await liveRun;
            });
        }
        finally
        {
            lock (_lock)
            {
                _live = false;
                _events.Clear();
            }
        }
    }

    private static string PlainLine(RunStats s, double deliveredPerSecond) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Target}: {s.LoadElapsed.TotalSeconds:0} s, {s.Level()}, {deliveredPerSecond:0} delivered/s, sent {s.Sent}, received {s.Received}, p99 so far {s.Delivery.PercentileMs(99):0.00} ms, {s.Failed} errors");

    private IRenderable Render(RunStats s, double deliveredPerSecond)
    {
        var loading = s.LoadElapsed > TimeSpan.Zero;
        var table = new Table().AddColumns("target", "time", "load", "delivered/s", "sent", "acked", "received", "p99 so far", "errors");
        table.AddRow(new[]
        {
            s.Target, loading ? $"{s.LoadElapsed.TotalSeconds:0} s" : "connecting", s.Level(),
            deliveredPerSecond.ToString("0", CultureInfo.InvariantCulture), s.Sent.ToString(CultureInfo.InvariantCulture),
            s.Acked.ToString(CultureInfo.InvariantCulture), s.Received.ToString(CultureInfo.InvariantCulture),
            s.Delivery.PercentileMs(99).ToString("0.00 ms", CultureInfo.InvariantCulture), s.Failed.ToString(CultureInfo.InvariantCulture),
        }.Select(Markup.Escape).ToArray());
        lock (_lock)
            return new Rows(_events.Select(e => (IRenderable)new Markup(e)).Prepend(table).ToList());
    }

    private static bool RunningInCi() => Environment.GetEnvironmentVariable("CI") is { } ci
        && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>Messages received per second since the previous reading, or since the load began if that was later.</summary>
    private sealed class DeliveryRate(RunStats stats)
    {
        private long _lastCount;
        private long _lastAt = Stopwatch.GetTimestamp();

        public double Next()
        {
            var (count, at) = (stats.Received, Stopwatch.GetTimestamp());
            var since = Math.Max(_lastAt, stats.LoadStartedAt);
            var rate = (count - _lastCount) / Math.Max(Stopwatch.GetElapsedTime(since, at).TotalSeconds, 0.001);
            (_lastCount, _lastAt) = (count, at);
            return rate;
        }
    }
}
