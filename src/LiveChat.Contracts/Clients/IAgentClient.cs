namespace LiveChat.Contracts;

/// <summary>Events the server sends to an agent's connections on <c>/hubs/agent</c>.</summary>
public interface IAgentClient
{
    Task MessageReceived(ChatMessage message);
    Task ConversationUpdated(ConversationView conversation);
    Task ConversationAssigned(ConversationView conversation);
    Task TypingChanged(TypingIndicator typing);
    Task ReadReceipt(ReadReceipt receipt);
}
