namespace LiveChat.Contracts;

/// <summary>Events the server sends to supervisors on <c>/hubs/supervisor</c>.</summary>
public interface ISupervisorClient
{
    /// <summary>The floor changed; coalesced to a few pushes a second at most.</summary>
    Task DashboardUpdated(DashboardView dashboard);

    // Live events of the conversations the supervisor watches.
    Task MessageReceived(ChatMessage message);
    Task InternalMessageReceived(ChatMessage message);
    Task ConversationUpdated(ConversationView conversation);
    Task TypingChanged(TypingIndicator typing);

    Task AnnouncementPublished(Announcement announcement);
    Task AnnouncementWithdrawn(string announcementId);
}
