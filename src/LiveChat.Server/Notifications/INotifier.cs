namespace LiveChat.Server.Notifications;

/// <summary>
/// The one way grains reach people: each method names an audience and returns the events it can be sent. Grains never
/// see a hub; the node's implementation (<c>Hubs/SignalRNotifier</c>) maps each audience to SignalR users and groups,
/// and grain tests record what was pushed instead. A push is best-effort: clients that miss one catch up by seq, by
/// asking, or on their next connect, so grains log a failed push rather than fail the call.
/// </summary>
public interface INotifier
{
    /// <summary>Every connection of one visitor.</summary>
    IVisitorClient Visitor(string visitorId);

    /// <summary>Every connection of one agent (or supervisor acting as an agent) on the agent hub.</summary>
    IAgentClient Agent(string agentId);

    /// <summary>The supervisors watching one conversation.</summary>
    ISupervisorClient Watchers(string conversationId);

    /// <summary>Every supervisor connection: the floor's dashboard.</summary>
    ISupervisorClient Supervisors();

    /// <summary>Every visitor connection: a queue's availability.</summary>
    IVisitorClient AllVisitors();

    /// <summary>Every connection of every hub: visitors, agents and supervisors.</summary>
    IAnnouncementClient Everyone();
}
