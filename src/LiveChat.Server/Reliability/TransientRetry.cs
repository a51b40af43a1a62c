using System.Runtime.ExceptionServices;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace LiveChat.Server.Reliability;

/// <summary>
/// Retries a grain call that failed because a node died, is shutting down, or Redis is briefly away, for at most
/// <c>LiveChat:RetrySeconds</c>: 100 ms after the first failure, twice as long after each next one, 1 s at most, and
/// no try that would start past the deadline. While a dead node is being evicted (about 8 s) its grains are
/// unreachable; after that they activate on a live node from Redis. Retried calls must be safe to repeat: sends carry
/// a client message id that the conversation recognises, and every other call either reads or sets a state that a
/// repeat leaves as it is.
/// </summary>
public sealed class TransientRetry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(1);
    private static readonly ResiliencePropertyKey<DateTimeOffset> Deadline = new("livechat.deadline");
    private static readonly ResiliencePropertyKey<string> What = new("livechat.what");

    private readonly IOptions<LiveChatOptions> _options;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;

    public TransientRetry(IOptions<LiveChatOptions> options, TimeProvider time, ILogger<TransientRetry> logger)
    {
        (_options, _time) = (options, time);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // One formula for the wait and for the deadline below it.
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayBefore(args.AttemptNumber + 1)),
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && TransientFailures.IsTransient(ex)
                    && time.GetUtcNow() + DelayBefore(args.AttemptNumber + 1) <= args.Context.Properties.GetValue(Deadline, default)),
                OnRetry = args =>
                {
                    logger.LogInformation("{What} failed ({Error}); attempt {Attempt} again in {Delay} ms",
                        args.Context.Properties.GetValue(What, "a call"), args.Outcome.Exception?.GetType().Name, args.AttemptNumber + 2, args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public async Task<T> Run<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        var deadline = Started();
        // The first try outside the pipeline: almost every call succeeds at once, and then costs no resilience context
        // (the pipeline was 2% of a node's CPU on the chat path, perf, docs/performance.md, issue 18). Continued on the
        // captured context, as below: a hub's or endpoint's call goes on where it started.
        try
        {
            return await call();
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex))
        {
            return await After(ex, deadline, call, what, cancellationToken);
        }
    }

    /// <summary>When a call made now must be answered by, for <see cref="After{T}"/>.</summary>
    public DateTimeOffset Started() => _time.GetUtcNow().AddSeconds(_options.Value.RetrySeconds);

    /// <summary>
    /// The tries after a first one that failed transiently, for a caller that made the first try itself (a hub call's,
    /// without a delegate or task made for it): the waits and the deadline count from <paramref name="deadline"/>'s call.
    /// </summary>
    public async Task<T> After<T>(Exception failure, DateTimeOffset deadline, Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellationToken);
        context.Properties.Set(Deadline, deadline);
        context.Properties.Set(What, what);
        try
        {
            // The pipeline's first attempt is the failure already seen, so its waits and deadline are counted from the start.
            var tries = new Tries<T>(call, failure);
            return await _pipeline.ExecuteAsync(static async (_, tries) => await tries.Next(), context, tries);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex))
        {
            throw new ServiceMovingException(what, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public async Task Run(Func<Task> call, string what, CancellationToken cancellationToken) =>
        await Run(async () => { await call(); return true; }, what, cancellationToken);

    /// <summary>The wait before retry <paramref name="retry"/> (1 for the first): 100 ms, doubling, 1 s at most.</summary>
    private static TimeSpan DelayBefore(int retry) =>
        TimeSpan.FromTicks(Math.Min(FirstDelay.Ticks * (1L << Math.Min(retry - 1, 20)), LongestDelay.Ticks));
}

/// <summary>A call's tries in the pipeline: the first fails as the try before the pipeline did, the rest call.</summary>
internal sealed class Tries<T>(Func<Task<T>> call, Exception firstFailure)
{
    private Exception? _pending = firstFailure;

    public Task<T> Next()
    {
        if (Interlocked.Exchange(ref _pending, null) is not { } failure)
            return call();
        ExceptionDispatchInfo.Throw(failure);
        return null!;
    }
}

/// <summary>A call still failing transiently once the retry time ran out; callers are told in <see cref="Text"/>.</summary>
public sealed class ServiceMovingException(string what, Exception inner) : Exception($"{what} still failing after the retry time", inner)
{
    public const string Text = "LiveChat is moving to another server and could not answer in time; please try again in a moment.";
}
