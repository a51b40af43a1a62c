using LiveChat.Contracts;
using LiveChat.Server.Identity;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary><c>/hubs/agent</c>: agents (and supervisors acting as agents) handle their conversations.</summary>
[Authorize(Policy = Policies.Agent)]
public sealed class AgentHub(IGrainFactory grains, IOptions<LiveChatOptions> options)
    : ConversationHub<IAgentClient>(grains, options)
{
    // Presence: the agent grain counts connections and starts the Away grace period when the last one drops.
    public override async Task OnConnectedAsync()
    {
        await Agent.Connect(Context.ConnectionId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await Agent.Disconnect(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    public Task<AgentView> SetStatus(string status) => Agent.SetStatus(HubInput.Status(status));

    public Task<IReadOnlyList<ConversationView>> GetMyConversations() => Agent.GetConversations();

    public Task<ConversationView> TransferConversation(string conversationId, TransferRequest? request) =>
        Conversation(conversationId).Transfer(Caller, HubInput.Transfer(request));

    private IAgentGrain Agent => Grains.GetGrain<IAgentGrain>(Caller.Id);
}
