namespace LiveChat.Contracts;

/// <summary>Events the server sends to a visitor's connections on <c>/hubs/visitor</c>.</summary>
public interface IVisitorClient
{
    Task MessageReceived(ChatMessage message);
    Task ConversationUpdated(ConversationView conversation);
    Task TypingChanged(TypingIndicator typing);
    Task ReadReceipt(ReadReceipt receipt);
    /// <summary>Sent to every connected visitor when published, and on connect for each one still active.</summary>
    Task AnnouncementPublished(Announcement announcement);
    Task AnnouncementWithdrawn(string announcementId);
}
