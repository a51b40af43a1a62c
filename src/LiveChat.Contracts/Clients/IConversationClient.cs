namespace LiveChat.Contracts;

/// <summary>Conversation events every side receives: the visitor, the agent and watching supervisors.</summary>
public interface IConversationClient
{
    Task MessageReceived(ChatMessage message);
    Task ConversationUpdated(ConversationView conversation);
    Task TypingChanged(TypingIndicator typing);
}
