using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace LiveChat.Testing;

/// <summary>What Redis says about an Orleans cluster of node processes.</summary>
public static partial class ClusterMembership
{
    /// <summary>Waits, at most <paramref name="timeoutSeconds"/>, until Redis's Orleans membership table lists <paramref name="nodes"/> silos as active.</summary>
    public static async Task WaitForActiveAsync(string redis, string serviceId, string clusterId, int nodes, int timeoutSeconds = 60)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        // Orleans.Clustering.Redis keeps the table in one hash, a field per silo holding its entry as JSON.
        var table = $"{serviceId}/members/{clusterId}";
        var deadline = Stopwatch.GetTimestamp() + timeoutSeconds * Stopwatch.Frequency;
        var active = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var entries = await connection.GetDatabase().HashGetAllAsync(table);
            active = entries.Count(e => ActiveStatus().IsMatch(e.Value.ToString()));
            if (active == nodes)
                return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{active} of {nodes} nodes active in the Orleans membership table {table} after {timeoutSeconds} s");
    }

    [GeneratedRegex(@"""Status""\s*:\s*(3|""Active"")")]
    private static partial Regex ActiveStatus();
}
