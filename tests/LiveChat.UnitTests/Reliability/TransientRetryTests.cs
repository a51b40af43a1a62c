using LiveChat.Server.Options;
using LiveChat.Server.Reliability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
