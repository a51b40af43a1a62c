using LiveChat.Server.Conversations;
using LiveChat.Server.Http;
using LiveChat.Server.Identity;
using LiveChat.Server.Metrics;
using LiveChat.Server.Options;
using LiveChat.Server.Visitors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary><c>/hubs/visitor</c>: a visitor's own conversations, reached with their visitor token.</summary>
[Authorize(Policy = Policies.Visitor)]
public sealed class VisitorHub(
    IGrainFactory grains, IOptions<LiveChatOptions> options, LiveChatMetrics metrics, VisitorRateLimits limits, VisitorPresenceTracker presence,
    VisitorConnectionCaps caps)
    : ConversationHub<IVisitorClient>(grains, options, metrics)
{
    protected override string HubName => Roles.Visitor;

    /// <summary>
    /// The visitor is here while a connection is open (see VisitorGrain.Presence); this node vouches for it from now on.
    /// A visitor with no conversation yet (a client connected before starting a chat) has nothing to be present for: the connection
    /// counts for their presence from their first conversation on (<see cref="Watch"/>), and until then the node keeps no
    /// grain or renewal for it.
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        // Counted first, so a connection over the caps costs no grain call; it closes with the refusal's words.
        caps.Open(Caller.Id, Address);
        try
        {
            if (await Arrived())
                Watched();
            await base.OnConnectedAsync();
        }
        catch
        {
            // A connect that fails gets no disconnect: its count is given back here.
            caps.Close(Caller.Id, Address);
            presence.Disconnected(Context.ConnectionId);
            throw;
        }
        Context.Items[CountedKey] = true;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.Remove(CountedKey))
            caps.Close(Caller.Id, Address);
        presence.Disconnected(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
        if (Context.Items.Remove(WatchedKey))
            await Visitor.Disconnected(Context.ConnectionId);
    }

    private const string CountedKey = "counted";
    private const string WatchedKey = "watched";

    /// <summary>
    /// From the visitor's first conversation on (starting one, or naming one started in another tab or before a
    /// reload), this connection counts for their presence: their grain hears of it once and this node renews it.
    /// </summary>
    private async ValueTask Watch()
    {
        if (Context.Items.ContainsKey(WatchedKey))
            return;
        // Marked first: a disconnect while the grain hears of it (SignalR does not wait for a running call) then tells it
        // the connection closed.
        Context.Items[WatchedKey] = true;
        try
        {
            await Visitor.Connected(Context.ConnectionId);
        }
        catch
        {
            Context.Items.Remove(WatchedKey);
            throw;
        }
        Watched();
    }

    private void Watched()
    {
        Context.Items[WatchedKey] = true;
        presence.Connected(Context.ConnectionId, Caller.Id);
        // Closed meanwhile: not renewed, so whatever the grain heard last lapses with its lease.
        if (Context.ConnectionAborted.IsCancellationRequested)
            presence.Disconnected(Context.ConnectionId);
    }

    /// <summary>
    /// <see cref="IVisitorGrain.Arrived"/>; a grain on a node of the version before it (a rolling upgrade) does not know
    /// the call, and gets <see cref="IVisitorGrain.Connected"/> as it did then.
    /// </summary>
    private async Task<bool> Arrived()
    {
        try
        {
            return await Visitor.Arrived(Context.ConnectionId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Visitor.Connected(Context.ConnectionId);
            return true;
        }
    }

    private string Address => SessionRateLimit.ClientKey(Context.GetHttpContext()?.Connection.RemoteIpAddress);

    /// <summary>Starting a conversation draws on the same bucket as a message, so start-close loops are bounded too.</summary>
    public Task<ConversationView> StartConversation(StartConversationRequest? request)
    {
        var start = HubInput.Start(request, Options.MaxMessageLength);
        Throttle();
        return Started(start);
    }

    /// <summary>The connection counts for the visitor's presence before the conversation starts; the one started is one the visitor may name from now on.</summary>
    private async Task<ConversationView> Started(StartConversationRequest start)
    {
        await Watch();
        var view = await Visitor.StartConversation(start, Address);
        if (Context.Items.TryGetValue(KnownKey, out var held) && held is KnownConversations known)
            known.Ids.Add(view.ConversationId);
        return view;
    }

    public async Task RateConversation(string conversationId, int score, string? comment)
    {
        var rating = HubInput.Rating(score, comment);
        var conversation = await Conversation(conversationId);
        // A rating draws on the same bucket as a message: a script cannot rate in a loop.
        Throttle();
        await conversation.Rate(Caller, rating.Score, rating.Comment);
    }

    public async Task<IReadOnlyList<ConversationView>> GetMyConversations()
    {
        ThrottleRead();
        var conversations = await Visitor.GetConversations();
        if (conversations.Count > 0)
            await Watch();
        return conversations;
    }

    protected override void Throttle() => limits.TakeMessage(Caller.Id);

    protected override bool ThrottleTyping() => limits.TakeTyping(Caller.Id);

    protected override void ThrottleRead() => limits.TakeRead(Caller.Id);

    /// <summary>
    /// A visitor names only their own conversations: the id's shape is checked, then the ids their visitor grain lists
    /// (kept with the connection, asked again at most every few seconds when a new one is named: a chat started in
    /// another tab). A made-up or another visitor's id is refused here, without a conversation grain being activated.
    /// </summary>
    protected override async ValueTask CheckNamed(string conversationId)
    {
        if (!ConversationIds.IsWellFormed(conversationId))
            throw new HubException($"unknown conversation: {VisitorFields.Shorten(conversationId)}");
        var known = Context.Items.TryGetValue(KnownKey, out var held) ? (KnownConversations)held! : null;
        if (known?.Ids.Contains(conversationId) == true)
        {
            // At once when watched already; again if hearing of it failed the first time.
            await Watch();
            return;
        }
        var now = TimeProvider.System.GetUtcNow();
        if (known is null || now - known.AskedAt >= KnownConversations.AskAgainAfter)
        {
            known = new KnownConversations([.. await Visitor.GetConversationIds()], now);
            Context.Items[KnownKey] = known;
            // A conversation started in another tab since this connection opened: it is the visitor's presence too.
            if (known.Ids.Count > 0)
                await Watch();
            if (known.Ids.Contains(conversationId))
                return;
        }
        throw new HubException("not your conversation");
    }

    private const string KnownKey = "known-conversations";

    /// <summary>The conversation ids this connection's visitor owns, as last asked.</summary>
    private sealed record KnownConversations(HashSet<string> Ids, DateTimeOffset AskedAt)
    {
        public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(5);
    }

    private IVisitorGrain Visitor => Grains.GetGrain<IVisitorGrain>(Caller.Id);
}
