using System.Collections.Concurrent;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Visitors;

/// <summary>
/// The visitor connections this node holds, renewed with their visitor grains every <c>LiveChat:PresenceRenewSeconds</c>
/// (one one-way call per visitor). A node that dies stops renewing, so its visitors' connections lapse and their grace
/// starts as if they had closed the tab; a visitor grain activated afresh learns its connections again.
/// </summary>
public sealed class VisitorPresenceTracker(IGrainFactory grains, IOptions<LiveChatOptions> options, ILogger<VisitorPresenceTracker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, string> _visitorByConnection = new(StringComparer.Ordinal);

    public void Connected(string connectionId, string visitorId) => _visitorByConnection[connectionId] = visitorId;

    public void Disconnected(string connectionId) => _visitorByConnection.TryRemove(connectionId, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var visitor in _visitorByConnection.GroupBy(c => c.Value, c => c.Key))
            {
                try
                {
                    await grains.GetGrain<IVisitorGrain>(visitor.Key).Renew(visitor.ToList());
                }
                catch (Exception ex)
                {
                    // One-way: only a call that could not be sent fails here. The next round tries again; a lease lasts three.
                    logger.LogInformation("Could not renew the presence of visitor {VisitorId}: {Error}", visitor.Key, ex.Message);
                }
            }
        }
    }
}
