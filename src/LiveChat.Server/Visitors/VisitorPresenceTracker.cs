using LiveChat.Server.Options;
using LiveChat.Server.Routing;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Visitors;

/// <summary>
/// The visitor connections this node holds, renewed with their visitor grains (see <see cref="ConnectionRenewal"/>;
/// one one-way call per visitor a round): a visitor whose node died has their grace start as if they had closed the tab.
/// </summary>
public sealed class VisitorPresenceTracker(IGrainFactory grains, IOptions<LiveChatOptions> options, ILogger<VisitorPresenceTracker> logger)
    : ConnectionRenewal(options, logger)
{
    protected override Task Renew(string ownerId, IReadOnlyList<string> connectionIds) =>
        grains.GetGrain<IVisitorGrain>(ownerId).Renew(connectionIds);
}
