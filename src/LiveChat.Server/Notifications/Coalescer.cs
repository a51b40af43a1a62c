namespace LiveChat.Server.Notifications;

/// <summary>
/// Runs an action at most once per interval: at once when the last run is an interval old, otherwise once by a timer
/// due exactly an interval after the last run, for every request made in between. A burst of changes thus costs one
/// run per interval, and a lone change is never held back.
/// </summary>
/// <param name="schedule">Starts a one-off timer that runs the callback after the delay; disposing it cancels it.</param>
internal sealed class Coalescer(Func<TimeSpan, Func<Task>, IDisposable> schedule, TimeProvider time, TimeSpan interval, Func<Task> run, DateTimeOffset lastRun = default)
{
    private IDisposable? _pending;

    /// <summary>A coalescer whose timer is a grain timer, so its runs are turns of the grain.</summary>
    public static Coalescer ForGrain(IGrainBase grain, TimeProvider time, TimeSpan interval, Func<Task> run, DateTimeOffset lastRun = default) =>
        new((due, callback) => grain.RegisterGrainTimer(_ => callback(), new GrainTimerCreationOptions { DueTime = due, Period = Timeout.InfiniteTimeSpan }),
            time, interval, run, lastRun);

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
        _pending = schedule(wait, OnDue);
        return Task.CompletedTask;
    }

    private Task OnDue()
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
