namespace LiveChat.Contracts;

/// <summary>Events the server sends to an agent's connections on <c>/hubs/agent</c>.</summary>
public interface IAgentClient : IConversationClient, IAnnouncementClient
{
    /// <summary>A whisper or note in one of the agent's conversations; numbered apart from the visitor's messages.</summary>
    Task InternalMessageReceived(ChatMessage message);
    Task ConversationAssigned(ConversationView conversation);
    Task ReadReceipt(ReadReceipt receipt);
    /// <summary>The agent's own status or limit changed (a supervisor changed it, or the grace period ran out).</summary>
    Task AgentUpdated(AgentView agent);
}
