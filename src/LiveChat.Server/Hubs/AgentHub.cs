using LiveChat.Server.Visitors;
using LiveChat.Server.Identity;
using LiveChat.Server.Metrics;
using LiveChat.Server.Options;
using LiveChat.Server.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary><c>/hubs/agent</c>: agents (and supervisors acting as agents) handle their conversations.</summary>
[Authorize(Policy = Policies.Agent)]
public sealed class AgentHub(IGrainFactory grains, IOptions<LiveChatOptions> options, LiveChatMetrics metrics, AgentPresence presence, UserDirectory users)
    : ConversationHub<IAgentClient>(grains, options, metrics)
{
    protected override string HubName => Roles.Agent;

    // Presence: the agent grain counts connections and starts the Away grace period when the last one drops. The node
    // renews its connections with the grain every few seconds, so those of a node that died lapse (AgentPresence).
    // Renewed only once the connection is open: SignalR calls OnDisconnectedAsync only for a connection whose
    // OnConnectedAsync ended well, so one registered before a call that threw would be renewed for as long as the node
    // runs, and the agent would never go Away. One the grain took before such a failure lapses, never renewed.
    // The base counts the connection as opened, last, once nothing else can fail.
    public override async Task OnConnectedAsync()
    {
        await Agent.Connect(Context.ConnectionId);
        await base.OnConnectedAsync();
        presence.Connected(Context.ConnectionId, Caller.Id);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        presence.Disconnected(Context.ConnectionId);
        await Agent.Disconnect(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    public Task<AgentView> SetStatus(string status) => Agent.SetStatus(HubInput.Status(status));

    public Task<IReadOnlyList<ConversationView>> GetMyConversations() => Agent.GetConversations();

    /// <summary>The caller's own status, load and limit, without changing anything.</summary>
    public Task<AgentView> GetMe() => Agent.GetView();

    /// <summary>Every queue, and every other agent and supervisor with their status and load, for the transfer menu.</summary>
    public async Task<TransferTargets> GetTransferTargets()
    {
        var others = Options.Users.Select(u => u.Username.ToLowerInvariant()).Where(id => id != Caller.Id);
        var agents = await Task.WhenAll(others.Select(id => Grains.GetGrain<IAgentGrain>(id).GetView()));
        return new TransferTargets(Options.AllQueues.ToList(), agents.OrderBy(a => a.DisplayName, StringComparer.OrdinalIgnoreCase).ToList());
    }

    public async Task<ConversationView> TransferConversation(string conversationId, TransferRequest? request)
    {
        var conversation = await Conversation(conversationId);
        var transfer = HubInput.Transfer(request);
        // Only a configured person has an agent grain: a made-up name activates none.
        if (transfer.ToAgentId is { } to && users.Find(to) is null)
            throw new HubException($"unknown agent: {VisitorFields.Shorten(to.ToLowerInvariant())}");
        return await conversation.Transfer(Caller, transfer);
    }

    public async Task<MessageAck> AddNote(string conversationId, string clientMessageId, string text) =>
        await (await Conversation(conversationId)).AddInternal(Caller, MessageKinds.Note, HubInput.Id(clientMessageId, "clientMessageId"), HubInput.Text(text, Options.MaxMessageLength));

    public async Task<IReadOnlyList<ChatMessage>> GetInternalMessages(string conversationId, long afterSeq, int limit)
    {
        var page = HubInput.Page(afterSeq, limit);
        return await (await Conversation(conversationId)).GetInternalMessages(Caller, page.AfterSeq, page.Limit);
    }

    /// <summary>The canned responses of one queue the agent serves, or of all of them when none is named.</summary>
    public async Task<IReadOnlyList<CannedResponse>> GetCannedResponses(string? queue)
    {
        var serves = Options.FindUser(Caller.Id) is { } user ? Options.QueuesOf(user) : [];
        if (queue is not null && !Options.IsQueue(HubInput.Id(queue, "queue")))
            throw new HubException($"unknown queue: {queue}");
        if (queue is not null && !serves.Contains(queue) && !Caller.IsSupervisor)
            throw new HubException($"you do not serve the queue '{queue}'");
        var queues = queue is not null ? [queue] : serves;
        var all = await Task.WhenAll(queues.Select(q => Grains.GetGrain<ICannedResponsesGrain>(q).GetAll()));
        return all.SelectMany(r => r).ToList();
    }

    private IAgentGrain Agent => Grains.GetGrain<IAgentGrain>(Caller.Id);
}
