using Orleans.Networking.Shared;
using Orleans.Persistence.Redis;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;
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
        // Redis answered that it cannot serve yet: restarted and still loading its data, busy with a script, or a
        // replica that was its primary a moment ago.
        RedisServerException server when BusyRedis.Any(server.Message.StartsWith) => true,
        // Orleans' Redis grain storage reports a failed read or write with only the text of what failed (no inner
        // exception): transient when that was Redis away, late or busy, as for the message log.
        RedisStorageException storage => TransientRedisErrors.Any(error => storage.Message.Contains(error, StringComparison.Ordinal)),
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };

    private static readonly string[] BusyRedis = ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY"];

    // How a transient Redis error reads inside the storage's words.
    private static readonly string[] TransientRedisErrors =
        [nameof(RedisConnectionException), nameof(RedisTimeoutException), .. BusyRedis.Select(word => $"{nameof(RedisServerException)}: {word}")];

    /// <summary>
    /// Lets Orleans carry Redis's exceptions to a caller on another node as what they are: it carries only its own and
    /// .NET's by default, and any other fails the answer itself, so the caller could not tell that it should retry.
    /// </summary>
    public static void CarryAcrossNodes(ExceptionSerializationOptions options)
    {
        options.SupportedNamespacePrefixes.Add("StackExchange.Redis");
        // The socket library under it, whose exceptions Redis's carry inside.
        options.SupportedNamespacePrefixes.Add("Pipelines.Sockets.Unofficial");
    }
}
