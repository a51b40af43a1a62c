using StackExchange.Redis;

namespace LiveChat.Server.Storage;

/// <summary>
/// Before the silo starts on Redis: waits for Redis to answer (saying so in the log while it does), then refuses a Redis
/// that evicts keys under memory pressure (an <c>allkeys-*</c> <c>maxmemory-policy</c>, the default of many managed
/// offerings), since it would silently drop chat logs, grain state and the cluster's membership; and warns when Redis
/// keeps no append-only file, since a Redis restart then loses what was written since its last snapshot.
/// </summary>
internal sealed class RedisReadiness(string connectionString, TimeProvider time, ILogger<RedisReadiness> logger)
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Returns once Redis answers and is fit for LiveChat; throws, saying what to change, when it is not.
    /// <paramref name="waiting"/> is called once, as soon as Redis is found not ready (the node then waits for it).
    /// </summary>
    public async Task WaitUntilReady(Action waiting, CancellationToken cancellationToken)
    {
        var (policy, appendOnly, endpoint) = await Settings(waiting, cancellationToken);
        if (policy.StartsWith("allkeys-", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                $"Redis at {endpoint} evicts keys when its memory is full (maxmemory-policy {policy}): LiveChat's messages, grain state " +
                "and cluster membership would be lost without a word. Set maxmemory-policy to noeviction " +
                "(in redis.conf, or CONFIG SET maxmemory-policy noeviction) and start the node again.");
        if (!appendOnly)
            logger.LogWarning("Redis at {Endpoint} keeps no append-only file (appendonly no): a Redis restart loses everything " +
                "written since its last snapshot. Set appendonly yes, with appendfsync everysec or always.", endpoint);
    }

    /// <summary>
    /// The eviction policy and whether AOF is on, as Redis reports them (INFO works where CONFIG is disabled), on a
    /// connection of its own: INFO is an admin command to the client library.
    /// </summary>
    private async Task<(string Policy, bool AppendOnly, string Endpoint)> Settings(Action waiting, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = false;
        // Short, so the wait is said in the log at once; it goes on for as long as Redis is away.
        options.ConnectTimeout = options.AsyncTimeout = 2000;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var endpoint = redis.GetEndPoints().First();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var info = (await redis.GetServer(endpoint).InfoAsync()).SelectMany(section => section)
                    .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
                // Answering, but still loading its data after a restart: it refuses every other command until done.
                if (info.GetValueOrDefault("loading") == "1")
                    throw new RedisServerException("LOADING Redis is loading the dataset in memory");
                return (info.GetValueOrDefault("maxmemory_policy", "noeviction"), info.GetValueOrDefault("aof_enabled") == "1", endpoint.ToString() ?? "");
            }
            catch (Exception ex) when (NotReady(ex))
            {
                if (attempt == 1 || attempt % 15 == 0)
                    logger.LogWarning("Waiting for Redis at {Endpoint} before starting: {Error}", endpoint, ex.Message);
                if (attempt == 1)
                    waiting();
                await Task.Delay(Retry, time, cancellationToken);
            }
        }
    }

    /// <summary>Redis is not there yet, or still loading its data after a restart.</summary>
    private static bool NotReady(Exception ex) =>
        ex is RedisConnectionException or RedisTimeoutException
        || (ex is RedisServerException && ex.Message.StartsWith("LOADING", StringComparison.Ordinal));
}
