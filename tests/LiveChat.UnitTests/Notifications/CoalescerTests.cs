using LiveChat.Server.Notifications;
using Microsoft.Extensions.Time.Testing;

namespace LiveChat.UnitTests.Notifications;

public sealed class CoalescerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly List<DateTimeOffset> _runs = [];

    private Coalescer Create(DateTimeOffset lastRun = default) =>
        new((due, callback) => _time.CreateTimer(_ => callback(), null, due, Timeout.InfiniteTimeSpan), _time, Interval,
            () => { _runs.Add(_time.GetUtcNow()); return Task.CompletedTask; }, lastRun);

    [Fact]
    public async Task ALoneChangeRunsAtOnce()
    {
        await Create().Request();

        Assert.Equal([_time.GetUtcNow()], _runs);
    }

    [Fact]
    public async Task ABurstOfChangesCostsOneRunAnIntervalAfterTheLast()
    {
        var start = _time.GetUtcNow();
        var coalescer = Create();
        await coalescer.Request();
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            await coalescer.Request();
        }
        Assert.True(coalescer.IsPending);
        Assert.Single(_runs);

        _time.Advance(start + Interval - TimeSpan.FromMilliseconds(1) - _time.GetUtcNow());
        Assert.Single(_runs);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([start, start + Interval], _runs);
        Assert.False(coalescer.IsPending);
    }

    [Fact]
    public async Task AChangeRightAfterActivationWaitsAnIntervalFromIt()
    {
        var activated = _time.GetUtcNow();
        var coalescer = Create(lastRun: activated);
        await coalescer.Request();
        Assert.Empty(_runs);

        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_runs);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([activated + Interval], _runs);
        Assert.Equal(activated + Interval, coalescer.LastRun);
    }
}
