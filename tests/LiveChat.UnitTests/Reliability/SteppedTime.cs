using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace LiveChat.UnitTests.Reliability;

/// <summary>A fake clock that tells when a wait starts and how long it is, so a test moves it on by exactly that.</summary>
internal sealed class SteppedTime() : FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero))
{
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _waits.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The next wait started, or null once <paramref name="done"/> completes first.</summary>
    public async Task<TimeSpan?> NextWait(Task done)
    {
        var next = _waits.Reader.ReadAsync().AsTask();
        return await Task.WhenAny(next, done).WaitAsync(TimeSpan.FromSeconds(5)) == next ? await next : null;
    }
}
