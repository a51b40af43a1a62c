using LiveChat.Contracts;
using LiveChat.Tests.Infrastructure;

namespace LiveChat.Tests.Grains;

/// <summary>The supervision rules as the grains keep them, whatever hub or client asks.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class SupervisionRuleTests(GrainCluster cluster)
{
    private static readonly Caller Boss = new(Roles.Supervisor, "boss", "Boss");
    private static readonly Caller Helper = new(Roles.Agent, "helper", "Helper");
    private IGrainFactory Grains => cluster.Grains;

    [Fact]
    public async Task OnlySupervisorsWhisperWatchTakeOverReviewAndPublish()
    {
        await Grains.GetGrain<IAgentGrain>("helper").SetStatus(AgentStatus.Online);
        var (view, visitor) = await cluster.StartChat("sup");
        var chat = Grains.GetGrain<IConversationGrain>(view.ConversationId);
        Assert.Equal("helper", view.AgentId);

        foreach (var caller in new[] { Helper, visitor })
        {
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(caller, MessageKinds.Whisper, "w", "psst"));
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.Watch(caller, "connection"));
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.TakeOver(caller));
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.MarkFeedbackReviewed(caller, true));
            await Assert.ThrowsAsync<ChatRuleException>(() => Grains.GetGrain<ICannedResponsesGrain>("sup").Save(caller, new CannedResponseRequest(null, "hi", "Hi")));
            await Assert.ThrowsAsync<ChatRuleException>(() => Grains.GetGrain<IAnnouncementsGrain>(0).Publish(caller, new AnnouncementRequest("down")));
        }
        // Internal messages are for the conversation's agent and supervisors: never the visitor, not another agent.
        var visitorNote = await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(visitor, MessageKinds.Note, "n", "mine"));
        Assert.Equal("not your conversation", visitorNote.Message);
        await Assert.ThrowsAsync<ChatRuleException>(() => chat.GetInternalMessages(visitor, 0, 10));
        await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(new Caller(Roles.Agent, "cap", "Cap"), MessageKinds.Note, "n", "not mine"));
        await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(Boss, "shout", "s", "unknown kind"));
        await chat.Close(visitor);
    }

    [Fact]
    public async Task TakingOverFreesTheAgentsSlotAndCountsOnTheSupervisorBeyondTheirLimit()
    {
        await Grains.GetGrain<IAgentGrain>("helper").SetStatus(AgentStatus.Online);
        var (first, firstVisitor) = await cluster.StartChat("sup");
        var (waiting, waitingVisitor) = await cluster.StartChat("sup");
        Assert.Equal((ConversationStatus.Active, ConversationStatus.Queued), (first.Status, waiting.Status));

        // Boss (limit 1, offline) takes both: the agent's and the waiting one.
        await Grains.GetGrain<IConversationGrain>(first.ConversationId).TakeOver(Boss);
        await Grains.GetGrain<IConversationGrain>(waiting.ConversationId).TakeOver(Boss);

        Assert.Equal(0, (await Grains.GetGrain<IAgentGrain>("helper").GetView()).ActiveConversations);
        Assert.Equal(2, (await Grains.GetGrain<IAgentGrain>("boss").GetView()).ActiveConversations);
        Assert.Equal(0, (await Grains.GetGrain<IQueueGrain>("sup").GetStats()).Waiting);
        var taken = await Grains.GetGrain<IConversationGrain>(first.ConversationId).GetView(Boss);
        Assert.Equal(("boss", ConversationStatus.Active), (taken.AgentId, taken.Status));
        await Assert.ThrowsAsync<ChatRuleException>(() => Grains.GetGrain<IConversationGrain>(first.ConversationId).Send(Helper, "late", "still mine?"));

        await Grains.GetGrain<IConversationGrain>(first.ConversationId).Close(firstVisitor);
        await Grains.GetGrain<IConversationGrain>(waiting.ConversationId).Close(waitingVisitor);
        Assert.Equal(0, (await Grains.GetGrain<IAgentGrain>("boss").GetView()).ActiveConversations);
    }

    [Fact]
    public async Task ARevisedRatingReplacesTheFirstInTheAverageAndIsReviewedAgain()
    {
        await Grains.GetGrain<IAgentGrain>("rater").SetStatus(AgentStatus.Online);
        var (view, visitor) = await cluster.StartChat("rated");
        var chat = Grains.GetGrain<IConversationGrain>(view.ConversationId);
        await chat.Send(new Caller(Roles.Agent, "rater", "Rater"), "a1", "hello");
        Assert.NotNull((await chat.Peek()).FirstResponseSeconds);
        await chat.Close(visitor);

        await chat.Rate(visitor, 1, "bad");
        var reviewed = await chat.MarkFeedbackReviewed(Boss, true);
        Assert.Equal((1, "boss"), (reviewed.Revisions, reviewed.ReviewedBy));
        await chat.Rate(visitor, 5, "sorted out after all");
        var revised = await chat.MarkFeedbackReviewed(Boss, false);
        Assert.Equal((5, 2, false), (revised.Score, revised.Revisions, revised.Reviewed));

        // The queue (told one way) counts one rating of 5, not two ratings.
        await Eventually.True(async () => await Grains.GetGrain<IQueueGrain>("rated").GetStats() is { Ratings: 1, CsatAverage: 5.0, AwaitingFirstResponse: 0 },
            "the queue to count one rating of 5 and no conversation waiting for an answer");
    }
}
