namespace LiveChat.Contracts;

/// <summary>Events the server sends to a visitor's connections on <c>/hubs/visitor</c>.</summary>
public interface IVisitorClient : IConversationClient, IAnnouncementClient
{
    Task ReadReceipt(ReadReceipt receipt);

    /// <summary>A queue's availability changed (someone came online, everyone left, it filled up or has room again); announcements left empty.</summary>
    Task AvailabilityChanged(QueueAvailability availability);
}
