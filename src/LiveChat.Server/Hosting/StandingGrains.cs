using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hosting;

/// <summary>
/// Wakes the grains that work on their own timers (<see cref="IStandingGrain"/>: every queue, the dashboard, the
/// announcements) every <c>LiveChat:PresenceRenewSeconds</c>. When a node dies, Orleans
/// loses the activations on it, and also those elsewhere whose directory entry it held; nothing calls a queue whose
/// visitors are all waiting, or whose only agent died with the same node, so without this its chats would stay where
/// they are. A queue that wakes asks its agents in turn, which activates an agent grain lost the same way.
/// </summary>
public sealed class StandingGrains(IGrainFactory grains, NodeStartup startup, IOptions<LiveChatOptions> options, ILogger<StandingGrains> logger) : BackgroundService
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A node waiting for Redis has no silo to wake them on yet.
        await startup.WhenReady(stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await Task.WhenAll(All().Select(async grain =>
            {
                try
                {
                    await grain.Wake().WaitAsync(AnswerWithin, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The next round tries again (a node being evicted, or the silo still starting).
                    logger.LogInformation("Could not wake {Grain}: {Error}", grain.GetGrainId(), ex.Message);
                }
            }));
        }
    }

    private IEnumerable<IStandingGrain> All() =>
        options.Value.AllQueues.Select(IStandingGrain (q) => grains.GetGrain<IQueueGrain>(q))
            .Append(grains.GetGrain<IDashboardGrain>(0))
            .Append(grains.GetGrain<IAnnouncementsGrain>(0));
}
