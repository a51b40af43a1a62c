namespace LiveChat.Contracts;

/// <summary>Events the server sends to a visitor's connections on <c>/hubs/visitor</c>.</summary>
public interface IVisitorClient : IConversationClient, IAnnouncementClient
{
    Task ReadReceipt(ReadReceipt receipt);
}
