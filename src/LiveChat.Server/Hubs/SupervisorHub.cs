using LiveChat.Server.Visitors;
using LiveChat.Server.Identity;
using LiveChat.Server.Metrics;
using LiveChat.Server.Options;
using LiveChat.Server.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary>
/// <c>/hubs/supervisor</c>: the floor as supervisors see it, pushed live; watching, whispering and taking over
/// conversations; agents' status and limits; canned responses, feedback and announcements.
/// To chat in a conversation they took over, supervisors use <c>/hubs/agent</c>, like any agent.
/// </summary>
[Authorize(Policy = Policies.Supervisor)]
public sealed class SupervisorHub(IGrainFactory grains, IFeedbackStore feedback, IOptions<LiveChatOptions> options, LiveChatMetrics metrics, UserDirectory users)
    : Hub<ISupervisorClient>
{
    private const string WatchedKey = "watched";
    private const int MaxWaitingListed = 100;

    private Caller Caller => Context.Claims().Caller;

    private HashSet<string> Watched => (HashSet<string>)(Context.Items.TryGetValue(WatchedKey, out var set) ? set! : Context.Items[WatchedKey] = new HashSet<string>(StringComparer.Ordinal));

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, SignalRNotifier.SupervisorsGroup);
        await base.OnConnectedAsync();
        // Counted once nothing can fail: a connection that failed to open is never closed (see AgentHub).
        metrics.ConnectionOpened(Roles.Supervisor);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed(Roles.Supervisor);
        foreach (var conversationId in Watched)
            await Conversation(conversationId).WatcherLeft(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    public Task<DashboardView> GetDashboard() => grains.GetGrain<IDashboardGrain>(0).GetDashboard();

    /// <summary>Each queue's waiting count and waits every 10 seconds over the last 30 minutes, for the chart.</summary>
    public Task<IReadOnlyList<QueueSample>> GetDashboardHistory() => grains.GetGrain<IDashboardGrain>(0).GetHistory();

    /// <summary>The conversations an agent (or supervisor) holds now, in the order they were assigned.</summary>
    public Task<IReadOnlyList<ConversationView>> GetAgentConversations(string agentId) => Agent(agentId).GetConversations();

    /// <summary>The first 100 conversations waiting in a queue, next in line first.</summary>
    public async Task<IReadOnlyList<ConversationView>> GetWaitingConversations(string queue)
    {
        var ids = await grains.GetGrain<IQueueGrain>(KnownQueue(queue)).GetWaitingIds(MaxWaitingListed);
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IConversationGrain>(id).Peek()));
        // One that was assigned or closed between the two reads is no longer waiting.
        return views.Where(v => v.Status == ConversationStatus.Queued).ToList();
    }

    /// <summary>The conversation's recent history, then its live events, read-only.</summary>
    public async Task<WatchedConversation> WatchConversation(string conversationId)
    {
        var grain = Conversation(conversationId);
        // Join before the snapshot, so nothing falls between them; a client drops what it already has by seq.
        await Groups.AddToGroupAsync(Context.ConnectionId, SignalRNotifier.WatchGroup(conversationId));
        try
        {
            var watched = await grain.Watch(Caller, Context.ConnectionId);
            Watched.Add(conversationId);
            return watched;
        }
        catch
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, SignalRNotifier.WatchGroup(conversationId));
            throw;
        }
    }

    public async Task UnwatchConversation(string conversationId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, SignalRNotifier.WatchGroup(conversationId));
        if (Watched.Remove(conversationId))
            await Conversation(conversationId).WatcherLeft(Context.ConnectionId);
    }

    public Task<IReadOnlyList<ChatMessage>> GetMessages(string conversationId, long afterSeq, int limit)
    {
        var page = HubInput.Page(afterSeq, limit);
        return Conversation(conversationId).GetMessages(Caller, page.AfterSeq, page.Limit);
    }

    public Task<IReadOnlyList<ChatMessage>> GetInternalMessages(string conversationId, long afterSeq, int limit)
    {
        var page = HubInput.Page(afterSeq, limit);
        return Conversation(conversationId).GetInternalMessages(Caller, page.AfterSeq, page.Limit);
    }

    /// <summary>A message to the conversation's agent that the visitor never sees.</summary>
    public Task<MessageAck> Whisper(string conversationId, string clientMessageId, string text) =>
        Conversation(conversationId).AddInternal(Caller, MessageKinds.Whisper, HubInput.Id(clientMessageId, "clientMessageId"), HubInput.Text(text, options.Value.MaxMessageLength));

    public Task<MessageAck> AddNote(string conversationId, string clientMessageId, string text) =>
        Conversation(conversationId).AddInternal(Caller, MessageKinds.Note, HubInput.Id(clientMessageId, "clientMessageId"), HubInput.Text(text, options.Value.MaxMessageLength));

    public Task<ConversationView> TakeOver(string conversationId) => Conversation(conversationId).TakeOver(Caller);

    public Task<AgentView> SetAgentStatus(string agentId, string status) => Agent(agentId).SetStatus(HubInput.Status(status));

    /// <summary>A new limit for the agent, or null to go back to the configured one.</summary>
    public Task<AgentView> SetAgentCapacity(string agentId, int? maxConversations) => Agent(agentId).SetMaxConversations(maxConversations);

    public Task<IReadOnlyList<CannedResponse>> GetCannedResponses(string queue) => CannedResponses(queue).GetAll();

    public Task<CannedResponse> SaveCannedResponse(string queue, CannedResponseRequest? request) =>
        CannedResponses(queue).Save(Caller, request ?? throw new HubException("a canned response { shortcut, text } is required"));

    public Task DeleteCannedResponse(string queue, string id) => CannedResponses(queue).Delete(Caller, HubInput.Id(id, "id"));

    /// <summary>Feedback newest first, filtered by queue, agent, score or review.</summary>
    public Task<FeedbackPage> GetFeedback(FeedbackQuery? query) => feedback.QueryAsync(HubInput.Feedback(query));

    public Task<FeedbackEntry> MarkFeedbackReviewed(string conversationId, bool reviewed) =>
        Conversation(conversationId).MarkFeedbackReviewed(Caller, reviewed);

    public Task<Announcement> PublishAnnouncement(AnnouncementRequest? request) =>
        Announcements.Publish(Caller, request ?? throw new HubException("an announcement { text, severity, expiresInMinutes } is required"));

    public Task WithdrawAnnouncement(string announcementId) => Announcements.Withdraw(Caller, HubInput.Id(announcementId, "announcementId"));

    public Task<IReadOnlyList<Announcement>> GetAnnouncements() => Announcements.GetActive();

    /// <summary>The messages visitors left for a queue while no agent was online, newest first.</summary>
    public Task<IReadOnlyList<OfflineMessage>> GetOfflineMessages(string queue) => OfflineMessages(queue).GetAll();

    /// <summary>How full a queue's offline inbox is, and how many messages it refused because it was full.</summary>
    public Task<OfflineInboxStatus> GetOfflineInboxStatus(string queue) => OfflineMessages(queue).GetStatus();

    public Task<OfflineMessage> MarkOfflineMessageHandled(string queue, string id, bool handled) =>
        OfflineMessages(queue).MarkHandled(Caller, HubInput.Id(id, "id"), handled);

    private IConversationGrain Conversation(string conversationId) =>
        grains.GetGrain<IConversationGrain>(HubInput.Id(conversationId, "conversationId"));

    /// <summary>A configured person's agent grain; a made-up name is refused and activates none.</summary>
    private IAgentGrain Agent(string agentId) =>
        users.Find(HubInput.Id(agentId, "agentId")) is { } user
            ? grains.GetGrain<IAgentGrain>(user.Username.ToLowerInvariant())
            : throw new HubException($"unknown agent: {VisitorFields.Shorten(agentId.ToLowerInvariant())}");

    private ICannedResponsesGrain CannedResponses(string queue) => grains.GetGrain<ICannedResponsesGrain>(KnownQueue(queue));

    private IOfflineMessagesGrain OfflineMessages(string queue) => grains.GetGrain<IOfflineMessagesGrain>(KnownQueue(queue));

    private string KnownQueue(string queue) =>
        options.Value.IsQueue(HubInput.Id(queue, "queue")) ? queue : throw new HubException($"unknown queue: {queue}");

    private IAnnouncementsGrain Announcements => grains.GetGrain<IAnnouncementsGrain>(0);
}
