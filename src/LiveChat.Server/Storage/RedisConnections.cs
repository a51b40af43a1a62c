using StackExchange.Redis;

namespace LiveChat.Server.Storage;

/// <summary>How every Redis connection of a node is made: the clustering, grain storage, message log and backplane.</summary>
public static class RedisConnections
{
    /// <summary>
    /// The connection string's options, reconnecting every half second while Redis is away. The client's default waits
    /// longer after each failed try, so a node reached Redis again seconds after a restart was over, and every send
    /// waited that long: Redis is on the node's own network, where trying often costs nothing.
    /// </summary>
    public static ConfigurationOptions Options(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        Tune(options);
        return options;
    }

    /// <summary>Applies the settings above to options made elsewhere (the SignalR backplane's).</summary>
    public static void Tune(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.ReconnectRetryPolicy = new LinearRetry(500);
    }
}
