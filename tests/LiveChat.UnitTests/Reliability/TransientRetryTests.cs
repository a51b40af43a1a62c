using System.Threading.Channels;
using LiveChat.Server.Options;
using LiveChat.Server.Reliability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace LiveChat.UnitTests.Reliability;

public sealed class TransientRetryTests
{
    private readonly SteppedTime _time = new();

    private TransientRetry Retry(int seconds) =>
        new(Options.Create(new LiveChatOptions { RetrySeconds = seconds }), _time, NullLogger<TransientRetry>.Instance);

    /// <summary>Runs the call on the fake clock, moving it on by each wait the retry starts, and notes when each try began.</summary>
    private async Task<(Task<string> Result, List<TimeSpan> Tries)> Run(TransientRetry retry, Func<int, string> attempt)
    {
        var start = _time.GetUtcNow();
        var tries = new List<TimeSpan>();
        var result = retry.Run(() =>
        {
            tries.Add(_time.GetUtcNow() - start);
            return Task.FromResult(attempt(tries.Count));
        }, "a test call", CancellationToken.None);
        for (var i = 0; i < 100 && await _time.NextWait(result) is { } wait; i++)
            _time.Advance(wait);
        return (result, tries);
    }

    /// <summary>A fake clock that tells when a wait starts, and how long it is, so a test moves it on by exactly that.</summary>
    private sealed class SteppedTime() : FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero))
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

    [Fact]
    public async Task ATransientFailureIsTriedAgainAfter100MsDoublingTo1s()
    {
        var (result, tries) = await Run(Retry(20), n => n < 6 ? throw new SiloUnavailableException() : "answered");

        Assert.Equal("answered", await result.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([0, 100, 300, 700, 1500, 2500], tries.Select(t => (int)t.TotalMilliseconds));
    }

    [Fact]
    public async Task NoTryStartsPastTheDeadlineAndTheCallerIsToldWhy()
    {
        var (result, tries) = await Run(Retry(2), _ => throw new TimeoutException());

        var failure = await Assert.ThrowsAsync<ServiceMovingException>(() => result.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.IsType<TimeoutException>(failure.InnerException);
        // 0, 100, 300, 700, 1500; the next would start at 2500, past the 2 s.
        Assert.Equal([0, 100, 300, 700, 1500], tries.Select(t => (int)t.TotalMilliseconds));
    }

    [Fact]
    public async Task AFailureOfTheCallItselfIsNotTriedAgain()
    {
        var (result, tries) = await Run(Retry(20), _ => throw new ChatRuleException("conversation is closed"));

        await Assert.ThrowsAsync<ChatRuleException>(() => result.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(tries);
    }
}
