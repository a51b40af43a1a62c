namespace LiveChat.Server.Notifications;

/// <summary>
/// Runs a grain's action at most once per interval: at once when the last run is an interval old, otherwise once by
/// a timer due exactly an interval after the last run, for every request made in between. A burst of changes thus
/// costs one run per interval, and a lone change is never held back.
/// </summary>
internal sealed class Coalescer(IGrainBase grain, TimeProvider time, TimeSpan interval, Func<Task> run, DateTimeOffset lastRun = default)
{
    private IGrainTimer? _pending;

    /// <summary>When the action last ran, which the next run is at least an interval after.</summary>
    public DateTimeOffset LastRun { get; private set; } = lastRun;

    /// <summary>A request is waiting for the timer.</summary>
    public bool IsPending => _pending is not null;

    public Task Request()
    {
        if (_pending is not null)
            return Task.CompletedTask;
        var wait = LastRun + interval - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
            return RunNow();
        _pending = grain.RegisterGrainTimer(OnDue, new GrainTimerCreationOptions { DueTime = wait, Period = Timeout.InfiniteTimeSpan });
        return Task.CompletedTask;
    }

    private Task OnDue(CancellationToken cancellationToken)
    {
        _pending?.Dispose();
        _pending = null;
        return RunNow();
    }

    private Task RunNow()
    {
        LastRun = time.GetUtcNow();
        return run();
    }
}
