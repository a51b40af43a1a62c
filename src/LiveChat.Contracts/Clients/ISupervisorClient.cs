namespace LiveChat.Contracts;

/// <summary>Events the server sends to supervisors on <c>/hubs/supervisor</c>.</summary>
public interface ISupervisorClient : IConversationClient, IAnnouncementClient
{
    /// <summary>The floor changed; coalesced to a few pushes a second at most.</summary>
    Task DashboardUpdated(DashboardView dashboard);

    // With the conversation events: the whispers and notes of the conversations the supervisor watches.
    Task InternalMessageReceived(ChatMessage message);
}
