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

    /// <summary>
    /// Applies the settings above to options made elsewhere (the SignalR backplane's), and reads and writes the sockets
    /// on the .NET thread pool. The client's default, a small pool of its own threads shared by every connection, was
    /// where a rush spent its time: under 300 arrivals a second, a fifth of the node's CPU went to threads queueing for
    /// that pool's lock (docs/performance.md, "The outage rush").
    /// </summary>
    public static void Tune(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.SocketManager = SocketManager.ThreadPool;
    }
}
