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
    IGrainFactory grains, IOptions<LiveChatOptions> options, LiveChatMetrics metrics, VisitorRateLimits limits, VisitorPresenceTracker presence)
    : ConversationHub<IVisitorClient>(grains, options, metrics)
{
    protected override string HubName => Roles.Visitor;

    /// <summary>The visitor is here while a connection is open (see VisitorGrain.Presence); this node vouches for it from now on.</summary>
    public override async Task OnConnectedAsync()
    {
        await Visitor.Connected(Context.ConnectionId);
        presence.Connected(Context.ConnectionId, Caller.Id);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        presence.Disconnected(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
        await Visitor.Disconnected(Context.ConnectionId);
    }

    /// <summary>Starting a conversation draws on the same bucket as a message, so start-close loops are bounded too.</summary>
    public Task<ConversationView> StartConversation(StartConversationRequest? request)
    {
        var start = HubInput.Start(request, Options.MaxMessageLength);
        Throttle();
        return Visitor.StartConversation(start, SessionRateLimit.ClientKey(Context.GetHttpContext()?.Connection.RemoteIpAddress));
    }

    public Task RateConversation(string conversationId, int score, string? comment)
    {
        var rating = HubInput.Rating(score, comment);
        return Conversation(conversationId).Rate(Caller, rating.Score, rating.Comment);
    }

    public Task<IReadOnlyList<ConversationView>> GetMyConversations() => Visitor.GetConversations();

    protected override void Throttle() => limits.TakeMessage(Caller.Id);

    protected override bool ThrottleTyping() => limits.TakeTyping(Caller.Id);

    private IVisitorGrain Visitor => Grains.GetGrain<IVisitorGrain>(Caller.Id);
}
