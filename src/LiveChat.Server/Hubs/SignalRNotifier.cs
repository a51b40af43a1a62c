using LiveChat.Server.Notifications;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Hubs;

/// <summary>
/// Grains' pushes through the hubs of this node, and so (with the Redis backplane) to the sockets of every node. The only
/// user of <see cref="IHubContext{THub,T}"/>, and the owner of the hubs' group names.
/// </summary>
internal sealed class SignalRNotifier(
    IHubContext<VisitorHub, IVisitorClient> visitors,
    IHubContext<AgentHub, IAgentClient> agents,
    IHubContext<SupervisorHub, ISupervisorClient> supervisors) : INotifier
{
    /// <summary>Every supervisor connection joins it on connect.</summary>
    public const string SupervisorsGroup = "supervisors";

    /// <summary>The connections watching a conversation.</summary>
    public static string WatchGroup(string conversationId) => $"watch:{conversationId}";

    public IVisitorClient Visitor(string visitorId) => visitors.Clients.User(visitorId);

    public IAgentClient Agent(string agentId) => agents.Clients.User(agentId);

    public ISupervisorClient Watchers(string conversationId) => supervisors.Clients.Group(WatchGroup(conversationId));

    public ISupervisorClient Supervisors() => supervisors.Clients.Group(SupervisorsGroup);

    public IVisitorClient AllVisitors() => visitors.Clients.All;

    public IAnnouncementClient Everyone() => new AllHubs(visitors.Clients.All, agents.Clients.All, supervisors.Clients.All);

    /// <summary>One event to the connections of all three hubs, in parallel.</summary>
    private sealed class AllHubs(params IAnnouncementClient[] hubs) : IAnnouncementClient
    {
        public Task AnnouncementPublished(Announcement announcement) => Task.WhenAll(hubs.Select(h => h.AnnouncementPublished(announcement)));

        public Task AnnouncementWithdrawn(string announcementId) => Task.WhenAll(hubs.Select(h => h.AnnouncementWithdrawn(announcementId)));
    }
}
