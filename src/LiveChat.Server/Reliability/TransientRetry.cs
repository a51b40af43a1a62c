using LiveChat.Server.Options;
using Microsoft.Extensions.Options;
using Orleans.Networking.Shared;
using Orleans.Runtime.Messaging;
using Orleans.Storage;
using StackExchange.Redis;

namespace LiveChat.Server.Reliability;

/// <summary>
/// Retries a grain call that failed because a node died, is shutting down, or Redis is briefly away, for at most
/// <c>LiveChat:RetrySeconds</c>. While a dead node is being evicted (about 8 s) its grains are unreachable; after that
/// they activate on a live node from Redis. Retried calls must be safe to repeat: sends carry a client message id that
/// the conversation recognises, and every other call either reads or sets a state that a repeat leaves as it is.
/// </summary>
public sealed class TransientRetry(IOptions<LiveChatOptions> options, TimeProvider time, ILogger<TransientRetry> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(1);

    public async Task<T> Run<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().AddSeconds(options.Value.RetrySeconds);
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                if (time.GetUtcNow() + delay > deadline)
                    throw new ServiceMovingException(what, ex);
                logger.LogInformation("{What} failed ({Error}); attempt {Attempt} again in {Delay} ms", what, ex.GetType().Name, attempt + 1, delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
            }
        }
    }

    public async Task Run(Func<Task> call, string what, CancellationToken cancellationToken) =>
        await Run(async () => { await call(); return true; }, what, cancellationToken);

    /// <summary>A failure that says nothing about the call itself: the node or store it needed was not there.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        // SiloUnavailableException is one of these: the target node is dead or leaving.
        OrleansMessageRejectionException or ConnectionFailedException or SocketConnectionException or GatewayTooBusyException => true,
        // Two activations for a moment while a dead node is evicted: the later write loses, the grain reloads.
        InconsistentStateException => true,
        // No answer in time (RedisTimeoutException is one too), or Redis not connected.
        TimeoutException or RedisConnectionException => true,
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };
}

/// <summary>A call still failing transiently once the retry time ran out; callers are told in <see cref="Text"/>.</summary>
public sealed class ServiceMovingException(string what, Exception inner) : Exception($"{what} still failing after the retry time", inner)
{
    public const string Text = "LiveChat is moving to another server and could not answer in time; please try again in a moment.";
}
