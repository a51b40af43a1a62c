using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Routing;

/// <summary>
/// The agent connections this node holds, renewed with their agent grains (see <see cref="ConnectionRenewal"/>): an
/// agent whose node died gets the grace period as if their connection had dropped, and an agent grain activated afresh
/// (its node died, or it was idle and collected) learns its connections again before its grace period ends.
/// </summary>
public sealed class AgentPresence(IGrainFactory grains, IOptions<LiveChatOptions> options, ILogger<AgentPresence> logger)
    : ConnectionRenewal(options, logger)
{
    protected override Task Renew(string ownerId, IReadOnlyList<string> connectionIds) =>
        grains.GetGrain<IAgentGrain>(ownerId).Renew(connectionIds);
}
