using System.Threading.RateLimiting;
using LiveChat.Server.Http;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary>
/// Token buckets per visitor for what a visitor sends over the hub: messages (and conversation starts and ratings),
/// typing notices, and reads (pages of messages, the list of their conversations).
/// </summary>
/// <remarks>
/// The buckets live on the node, in memory, keyed by visitor id, so every connection of a visitor to this node (all their
/// tabs) draws on one bucket. A bucket in a grain would hold across nodes too, but cost a grain call, possibly to another
/// node, before every message: the hot path would pay it on every send to stop the rare flood. Node-local costs a dictionary
/// lookup. A visitor spread over N nodes gets at most N times the rate, which still bounds a flood, and a node's death
/// gives a flooder a fresh bucket, no more. The partitioned limiter replenishes the buckets on its own timer and drops a
/// visitor's bucket once it has been full (idle) for a few seconds, so the memory held follows active visitors only.
/// </remarks>
public sealed class VisitorRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _messages;
    private readonly PartitionedRateLimiter<string> _typing;
    private readonly PartitionedRateLimiter<string> _reads;

    public VisitorRateLimits(IOptions<LiveChatOptions> options)
    {
        var limits = options.Value.Limits;
        _messages = Buckets(limits.MessageBurst, limits.MessagesPerSecond);
        _typing = Buckets(limits.TypingBurst, limits.TypingPerSecond);
        _reads = Buckets(limits.ReadBurst, limits.ReadsPerSecond);
    }

    /// <summary>Takes a message token for <paramref name="visitorId"/>, or refuses the send in words with how long to wait.</summary>
    public void TakeMessage(string visitorId) =>
        TakeOrRefuse(_messages, visitorId, seconds => $"too many messages: wait a moment and send again (retry after {seconds} s)");

    /// <summary>
    /// Whether a typing notice from <paramref name="visitorId"/> may go on. One over the limit is dropped without a word:
    /// a typing notice is a hint the next one repeats, and the widget sends it without waiting for an answer.
    /// </summary>
    public bool TakeTyping(string visitorId)
    {
        using var lease = _typing.AttemptAcquire(visitorId);
        return lease.IsAcquired;
    }

    /// <summary>Takes a read token (a page of messages, the list of conversations), or refuses the read in words with how long to wait.</summary>
    public void TakeRead(string visitorId) =>
        TakeOrRefuse(_reads, visitorId, seconds => $"too many reads: wait a moment and ask again (retry after {seconds} s)");

    /// <summary>Takes a token from the visitor's bucket, or refuses in words with the whole seconds to wait.</summary>
    private static void TakeOrRefuse(PartitionedRateLimiter<string> buckets, string visitorId, Func<int, string> refusal)
    {
        using var lease = buckets.AttemptAcquire(visitorId);
        if (lease.IsAcquired)
            return;
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        throw new HubException(refusal(Problems.RetryAfterSeconds(wait)));
    }

    public void Dispose()
    {
        _messages.Dispose();
        _typing.Dispose();
        _reads.Dispose();
    }

    private static PartitionedRateLimiter<string> Buckets(int burst, int perSecond)
    {
        // The partitioned limiter adds tokens on its 100 ms ticks only, so the period is a whole number of ticks: the
        // shortest one in which the rate gives a whole number of tokens (5 a second: one every 200 ms; 7: seven a second).
        var ticks = 10 / (int)System.Numerics.BigInteger.GreatestCommonDivisor(perSecond, 10);
        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond * ticks / 10,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100 * ticks),
            QueueLimit = 0,
            AutoReplenishment = false,
        };
        return PartitionedRateLimiter.Create<string, string>(visitorId => RateLimitPartition.GetTokenBucketLimiter(visitorId, _ => options));
    }
}
