using System.Diagnostics;

namespace LiveChat.LoadTests.Measurement;

/// <summary>
/// What a run has done so far, for the live progress display: the scenario writes it from any thread while the
/// display reads it a few times a second. Its delivery latency is the run's own measured figure, so "p99 so far"
/// is the p99 the report will show, only earlier.
/// </summary>
public sealed class RunStats(string target)
{
    private long _sent, _acked, _received, _failed, _loadStartedAt;
    private readonly TaskCompletionSource<long> _loadBegun = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Target => target;

    /// <summary>Delivery latency of the measured messages (not the warm-up's).</summary>
    public Latency Delivery { get; } = new();

    public long Sent => Interlocked.Read(ref _sent);
    public long Acked => Interlocked.Read(ref _acked);
    public long Received => Interlocked.Read(ref _received);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The load's level at this moment, in words ("2000/s offered", "150 users"); set when the load begins.</summary>
    public Func<string> Level { get; private set; } = () => "";

    /// <summary>The Stopwatch timestamp the load began at; 0 before (while connections are opened).</summary>
    public long LoadStartedAt => Interlocked.Read(ref _loadStartedAt);

    /// <summary>Completes with <see cref="LoadStartedAt"/> when the load begins, for what runs alongside it (the supervisors' probe).</summary>
    public Task<long> LoadBegun => _loadBegun.Task;

    /// <summary>How long the load has run; zero before it begins.</summary>
    public TimeSpan LoadElapsed => LoadStartedAt is var started and > 0 ? Stopwatch.GetElapsedTime(started) : TimeSpan.Zero;

    public void LoadBegins(Func<string> level)
    {
        Level = level;
        var now = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _loadStartedAt, now);
        _loadBegun.TrySetResult(now);
    }

    public void OnSent() => Interlocked.Increment(ref _sent);
    public void OnAcked() => Interlocked.Increment(ref _acked);
    public void OnReceived() => Interlocked.Increment(ref _received);
    public void OnFailed() => Interlocked.Increment(ref _failed);
}
