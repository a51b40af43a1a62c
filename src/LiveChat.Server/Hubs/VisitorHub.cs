using LiveChat.Contracts;
using LiveChat.Server.Identity;
using LiveChat.Server.Metrics;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary><c>/hubs/visitor</c>: a visitor's own conversations, reached with their visitor token.</summary>
[Authorize(Policy = Policies.Visitor)]
public sealed class VisitorHub(IGrainFactory grains, IOptions<LiveChatOptions> options, LiveChatMetrics metrics)
    : ConversationHub<IVisitorClient>(grains, options, metrics)
{
    protected override string HubName => Roles.Visitor;

    public Task<ConversationView> StartConversation(StartConversationRequest? request) =>
        Visitor.StartConversation(HubInput.Start(request, Options.MaxMessageLength));

    public Task RateConversation(string conversationId, int score, string? comment)
    {
        var rating = HubInput.Rating(score, comment);
        return Conversation(conversationId).Rate(Caller, rating.Score, rating.Comment);
    }

    public Task<IReadOnlyList<ConversationView>> GetMyConversations() => Visitor.GetConversations();

    private IVisitorGrain Visitor => Grains.GetGrain<IVisitorGrain>(Caller.Id);
}
