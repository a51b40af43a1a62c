using LiveChat.Contracts;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace LiveChat.Server.Grains;

/// <summary>
/// Builds the supervisors' snapshot from the queue and agent grains' own numbers, never by scanning conversations.
/// Stateless, so every node answers from a local activation.
/// </summary>
[StatelessWorker]
public sealed class DashboardGrain(IOptions<LiveChatOptions> options, TimeProvider time) : Grain, IDashboardGrain
{
    public async Task<DashboardView> GetDashboard()
    {
        var queues = Task.WhenAll(options.Value.AllQueues.Select(q => GrainFactory.GetGrain<IQueueGrain>(q).GetStats()));
        var agents = Task.WhenAll(options.Value.Users.Select(u => GrainFactory.GetGrain<IAgentGrain>(u.Username.ToLowerInvariant()).GetView()));
        await Task.WhenAll(queues, agents);
        var agentViews = (await agents).OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase).ToList();
        return new DashboardView(await queues, agentViews, agentViews.Sum(a => a.ActiveConversations), time.GetUtcNow());
    }
}
