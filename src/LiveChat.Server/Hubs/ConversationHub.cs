using LiveChat.Server.Hosting;
using LiveChat.Server.Identity;
using LiveChat.Server.Metrics;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary>
/// The conversation methods visitors and agents share. Each checks the input's shape, then makes one grain call;
/// who may do what is the conversation grain's rule.
/// </summary>
public abstract class ConversationHub<TClient>(IGrainFactory grains, IOptions<LiveChatOptions> options, LiveChatMetrics metrics) : Hub<TClient>
    where TClient : class, IAnnouncementClient
{
    protected IGrainFactory Grains => grains;
    protected LiveChatOptions Options => options.Value;
    protected Caller Caller => Context.Claims().Caller;

    /// <summary>The hub's name in metrics: visitor or agent.</summary>
    protected abstract string HubName { get; }

    /// <summary>A visitor or agent who connects while announcements are active sees them at once.</summary>
    public override async Task OnConnectedAsync()
    {
        await base.OnConnectedAsync();
        foreach (var announcement in await grains.GetGrain<IAnnouncementsGrain>(0).GetActive())
            await Clients.Caller.AnnouncementPublished(announcement);
        // Counted once nothing can fail: a connection that failed to open is never closed (see AgentHub).
        metrics.ConnectionOpened(HubName);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed(HubName);
        return base.OnDisconnectedAsync(exception);
    }

    public async Task<MessageAck> SendMessage(string conversationId, string clientMessageId, string text)
    {
        var conversation = await Conversation(conversationId);
        var id = HubInput.Id(clientMessageId, "clientMessageId");
        var checkedText = HubInput.Text(text, Options.MaxMessageLength);
        // Counted only once the message is well formed, so a refused one costs the sender nothing.
        Throttle();
        return await conversation.Send(Caller, id, checkedText);
    }

    public async Task<IReadOnlyList<ChatMessage>> GetMessages(string conversationId, long afterSeq, int limit)
    {
        var page = HubInput.Page(afterSeq, limit);
        // Counted before the conversation is looked up, so a stream of made-up ids is held back too.
        ThrottleRead();
        var conversation = await Conversation(conversationId);
        return await conversation.GetMessages(Caller, page.AfterSeq, page.Limit);
    }

    public async Task SetTyping(string conversationId, bool isTyping)
    {
        var conversation = await Conversation(conversationId);
        if (ThrottleTyping())
            await conversation.SetTyping(Caller, isTyping);
    }

    public async Task MarkRead(string conversationId, long seq)
    {
        if (seq < 1)
            throw new HubException($"seq must be 1 or more, not {seq}");
        await (await Conversation(conversationId)).MarkRead(Caller, seq);
    }

    public async Task<ConversationView> CloseConversation(string conversationId) => await (await Conversation(conversationId)).Close(Caller);

    /// <summary>Refuses a send (a HubException in words) when the caller has sent too much; no limit unless overridden.</summary>
    protected virtual void Throttle()
    {
    }

    /// <summary>Whether the caller's typing notice goes on; always, unless overridden.</summary>
    protected virtual bool ThrottleTyping() => true;

    /// <summary>Refuses a read (a HubException in words) when the caller has read too much; no limit unless overridden.</summary>
    protected virtual void ThrottleRead()
    {
    }

    /// <summary>Refuses (a HubException in words) a conversation the caller may not name, before any grain is touched; all may, unless overridden.</summary>
    protected virtual ValueTask CheckNamed(string conversationId) => ValueTask.CompletedTask;

    protected async ValueTask<IConversationGrain> Conversation(string conversationId)
    {
        var id = HubInput.Id(conversationId, "conversationId");
        await CheckNamed(id);
        return grains.Reference<IConversationGrain>(id);
    }
}
