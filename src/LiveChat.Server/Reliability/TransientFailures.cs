using Orleans.Networking.Shared;
using Orleans.Persistence.Redis;
using Orleans.Runtime.Messaging;
using Orleans.Storage;
using StackExchange.Redis;

namespace LiveChat.Server.Reliability;

/// <summary>Which failures say nothing about the call itself: the node or store it needed was not there for a moment.</summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception ex) => ex switch
    {
        // SiloUnavailableException is one of these: the target node is dead or leaving.
        OrleansMessageRejectionException or ConnectionFailedException or SocketConnectionException or GatewayTooBusyException => true,
        // Two activations for a moment while a dead node is evicted: the later write loses, the grain reloads.
        InconsistentStateException => true,
        // No answer in time (RedisTimeoutException is one too), or Redis not connected.
        TimeoutException or RedisConnectionException => true,
        // Orleans' Redis grain storage reports a failed read or write with only the text of what failed (no inner
        // exception): transient when that was Redis away or late, as for the message log.
        RedisStorageException storage => storage.Message.Contains(nameof(RedisConnectionException), StringComparison.Ordinal)
            || storage.Message.Contains(nameof(RedisTimeoutException), StringComparison.Ordinal),
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };
}
