using System.Collections.Concurrent;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// The agent connections this node holds, renewed with their agent grains every <c>LiveChat:PresenceRenewSeconds</c>.
/// A node that dies stops renewing, so its connections lapse and the agent's grace period starts as if they had
/// dropped; an agent grain activated afresh (its node died, or it was idle and collected) learns its connections again
/// before its grace period ends.
/// </summary>
public sealed class AgentPresence(IGrainFactory grains, IOptions<LiveChatOptions> options, ILogger<AgentPresence> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, string> _agentByConnection = new(StringComparer.Ordinal);

    public void Connected(string connectionId, string agentId) => _agentByConnection[connectionId] = agentId;

    public void Disconnected(string connectionId) => _agentByConnection.TryRemove(connectionId, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PresenceRenewSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var byAgent = _agentByConnection.GroupBy(c => c.Value, c => c.Key).ToList();
            await Task.WhenAll(byAgent.Select(async agent =>
            {
                try
                {
                    await grains.GetGrain<IAgentGrain>(agent.Key).Renew(agent.ToList());
                }
                catch (Exception ex)
                {
                    // The next round tries again; a lease lasts three rounds.
                    logger.LogInformation("Could not renew the presence of agent {AgentId}: {Error}", agent.Key, ex.Message);
                }
            }));
        }
    }
}
