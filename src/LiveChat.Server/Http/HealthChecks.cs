using LiveChat.Server.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace LiveChat.Server.Http;

/// <summary>The node has started: Redis answered, when configured, and the silo is up. Says what it waits for until then.</summary>
internal sealed class StartupHealthCheck(NodeStartup startup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(startup.IsReady ? HealthCheckResult.Healthy("started") : HealthCheckResult.Unhealthy($"the node is not ready: {startup.Status}"));
}

/// <summary>The silo answers a grain call.</summary>
internal sealed class OrleansHealthCheck(IGrainFactory grains, NodeStartup startup) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A grain call before the silo has started would only wait for the check's timeout.
        if (!startup.IsReady)
            return HealthCheckResult.Unhealthy("the Orleans silo has not started");
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{hosts.Count} silo(s) active");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("the Orleans silo does not answer", ex);
        }
    }
}

/// <summary>Redis answers a PING (registered only when Redis is configured).</summary>
internal sealed class RedisHealthCheck(IServiceProvider services, NodeStartup startup) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The node's connection is made when first asked for, and waits its connect timeout for a Redis that is away:
        // until the node has started (Redis answered by then), the startup check says what it waits for.
        if (!startup.IsReady)
            return HealthCheckResult.Unhealthy("the node has not started");
        try
        {
            var redis = services.GetRequiredService<IConnectionMultiplexer>();
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer", ex);
        }
    }
}
