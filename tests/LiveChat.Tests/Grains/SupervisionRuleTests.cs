
namespace LiveChat.Tests.Grains;

/// <summary>The supervision rules as the grains keep them, whatever hub or client asks.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class SupervisionRuleTests
{
    private readonly GrainCluster _cluster;
    // Each test's own queue, served by an agent of limit 1 and a supervisor of limit 1 who stays offline.
    private readonly string _queue;
    private Caller Boss { get; }
    private Caller Helper { get; }

    public SupervisionRuleTests(GrainCluster cluster)
    {
        _cluster = cluster;
        _queue = Floor.Queue(1, Seat.Supervisor(1));
        var boss = Floor.Supervisor(_queue, max: 1);
        var helper = Floor.Agent(_queue, max: 1);
        Boss = new(Roles.Supervisor, boss, Floor.DisplayName(boss));
        Helper = new(Roles.Agent, helper, Floor.DisplayName(helper));
    }

    private IGrainFactory Grains => _cluster.Grains;
    private Floor Floor => _cluster.Floor;

    [Fact]
    public async Task OnlySupervisorsWhisperWatchTakeOverReviewAndPublish()
    {
        var another = Floor.Agent(Floor.Queue(2), max: 2);
        await _cluster.GoOnline(Helper.Id);
        var (view, visitor) = await _cluster.StartChat(_queue);
        var chat = Grains.GetGrain<IConversationGrain>(view.ConversationId);
        Assert.Equal(Helper.Id, view.AgentId);

        foreach (var caller in new[] { Helper, visitor })
        {
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(caller, MessageKinds.Whisper, "w", "psst"));
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.Watch(caller, "connection"));
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.TakeOver(caller));
            await Assert.ThrowsAsync<ChatRuleException>(() => chat.MarkFeedbackReviewed(caller, true));
            await Assert.ThrowsAsync<ChatRuleException>(() => Grains.GetGrain<ICannedResponsesGrain>(_queue).Save(caller, new CannedResponseRequest(null, "hi", "Hi")));
            await Assert.ThrowsAsync<ChatRuleException>(() => Grains.GetGrain<IAnnouncementsGrain>(0).Publish(caller, new AnnouncementRequest("down")));
        }
        // Internal messages are for the conversation's agent and supervisors: never the visitor, not another agent.
        var visitorNote = await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(visitor, MessageKinds.Note, "n", "mine"));
        Assert.Equal("not your conversation", visitorNote.Message);
        await Assert.ThrowsAsync<ChatRuleException>(() => chat.GetInternalMessages(visitor, 0, 10));
        await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(new Caller(Roles.Agent, another, Floor.DisplayName(another)), MessageKinds.Note, "n", "not mine"));
        await Assert.ThrowsAsync<ChatRuleException>(() => chat.AddInternal(Boss, "shout", "s", "unknown kind"));
        await chat.Close(visitor);
    }

    [Fact]
    public async Task ASupervisorWhoTookAChatOverAndLeftGivesItBackAfterTheGracePeriodLikeAnAgent()
    {
        await _cluster.GoOnline(Helper.Id);
        var (chat, visitor) = await _cluster.StartChat(_queue);
        var supervisor = Grains.GetGrain<IAgentGrain>(Boss.Id);
        await supervisor.Connect("boss-agent-console");
        await Grains.GetGrain<IConversationGrain>(chat.ConversationId).TakeOver(Boss);

        // The supervisor's console closes; they stay Offline, as they were, and no longer hold the chat.
        await supervisor.Disconnect("boss-agent-console");

        await Eventually.True(async () => (await Grains.GetGrain<IConversationGrain>(chat.ConversationId).Peek()).AgentId != Boss.Id, "the chat to leave the supervisor");
        Assert.Equal((AgentStatus.Offline, 0), ((await supervisor.GetView()).Status, (await supervisor.GetView()).ActiveConversations));
        // Back in the queue, it goes to the agent who has room again.
        await Eventually.True(async () => (await Grains.GetGrain<IConversationGrain>(chat.ConversationId).Peek()).AgentId == Helper.Id, "the agent to have the chat again");
        await Grains.GetGrain<IConversationGrain>(chat.ConversationId).Close(visitor);
    }

    [Fact]
    public async Task TakingOverFreesTheAgentsSlotAndCountsOnTheSupervisorBeyondTheirLimit()
    {
        await _cluster.GoOnline(Helper.Id);
        var (first, firstVisitor) = await _cluster.StartChat(_queue);
        var (waiting, waitingVisitor) = await _cluster.StartChat(_queue);
        Assert.Equal((ConversationStatus.Active, ConversationStatus.Queued), (first.Status, waiting.Status));

        // Boss (limit 1, offline, the agent console open to chat in what they take) takes both: the agent's and the waiting one.
        await Grains.GetGrain<IAgentGrain>(Boss.Id).Connect("boss-agent-console");
        await Grains.GetGrain<IConversationGrain>(first.ConversationId).TakeOver(Boss);
        await Grains.GetGrain<IConversationGrain>(waiting.ConversationId).TakeOver(Boss);

        // Freed by the first take-over, the agent may be handed the waiting chat before Boss takes that too; then the
        // late assignment's notice, which arrives outside the queue's turn, hands it back, so the agent's load settles a moment later.
        await Eventually.True(async () => (await Grains.GetGrain<IAgentGrain>(Helper.Id).GetView()).ActiveConversations == 0, "the agent's slots to be free");
        Assert.Equal(2, (await Grains.GetGrain<IAgentGrain>(Boss.Id).GetView()).ActiveConversations);
        Assert.Equal(0, (await Grains.GetGrain<IQueueGrain>(_queue).GetStats()).Waiting);
        var taken = await Grains.GetGrain<IConversationGrain>(first.ConversationId).GetView(Boss);
        Assert.Equal((Boss.Id, ConversationStatus.Active), (taken.AgentId, taken.Status));
        await Assert.ThrowsAsync<ChatRuleException>(() => Grains.GetGrain<IConversationGrain>(first.ConversationId).Send(Helper, "late", "still mine?"));

        await Grains.GetGrain<IConversationGrain>(first.ConversationId).Close(firstVisitor);
        await Grains.GetGrain<IConversationGrain>(waiting.ConversationId).Close(waitingVisitor);
        Assert.Equal(0, (await Grains.GetGrain<IAgentGrain>(Boss.Id).GetView()).ActiveConversations);
    }

    [Fact]
    public async Task AnAgentSetOnlineWithoutAConnectionGoesAwayAfterTheGracePeriod()
    {
        var idler = Floor.Agent(Floor.Queue(1), max: 1);
        // A supervisor sets an agent Online who is not connected: chats must not pile up with nobody to answer them.
        await Grains.GetGrain<IAgentGrain>(idler).SetStatus(AgentStatus.Online);
        await Eventually.True(async () => (await Grains.GetGrain<IAgentGrain>(idler).GetView()).Status == AgentStatus.Away, "the agent to be set Away");
    }

    [Fact]
    public async Task AConversationWaitingForAnAnswerStopsCountingWhenItGoesBackToTheQueueOrCloses()
    {
        var queueName = Floor.Queue(1);
        var ower = Floor.Agent(queueName, max: 1);
        var queue = Grains.GetGrain<IQueueGrain>(queueName);
        await _cluster.GoOnline(ower);
        var (view, visitor) = await _cluster.StartChat(queueName);
        var chat = Grains.GetGrain<IConversationGrain>(view.ConversationId);
        // The queue hears of the agent one way, so the chat may wait a moment before it is assigned.
        await Eventually.True(async () => (await chat.Peek()).AgentId == ower && (await queue.GetStats()).AwaitingFirstResponse == 1, "the chat to be assigned and owed an answer");

        // The agent leaves without answering: the chat waits again, and is owed an answer by nobody yet.
        var assignedAt = (await chat.Peek()).AssignedAt;
        await Grains.GetGrain<IAgentGrain>(ower).SetStatus(AgentStatus.Away);
        await Eventually.True(async () => await queue.GetStats() is { Waiting: 1, AwaitingFirstResponse: 0 }, "the chat to wait again, owed no answer");
        await _cluster.GoOnline(ower);
        // The conversation hears by notices, after the queue counts it, that it waits and then that it is assigned again. Until
        // then it still shows its old assignment, so only a new assignment time says it is back with the agent.
        assignedAt = await ReassignedTo(ower, chat, assignedAt);
        await Eventually.True(async () => await queue.GetStats() is { Waiting: 0, AwaitingFirstResponse: 1 }, "the chat to be owed an answer again");

        // Answered once, requeued and reassigned: the new assignment is owed an answer of its own, not a second first response.
        await chat.Send(new Caller(Roles.Agent, ower, Floor.DisplayName(ower)), "a1", "hello");
        await Eventually.True(async () => (await queue.GetStats()).AwaitingFirstResponse == 0, "the answer to count");
        var firstResponse = (await chat.Peek()).FirstResponseSeconds;
        await Grains.GetGrain<IAgentGrain>(ower).SetStatus(AgentStatus.Away);
        await _cluster.GoOnline(ower);
        await ReassignedTo(ower, chat, assignedAt);
        await Eventually.True(async () => (await queue.GetStats()).AwaitingFirstResponse == 1, "the reassigned chat to be owed an answer");
        await chat.Send(new Caller(Roles.Agent, ower, Floor.DisplayName(ower)), "a2", "back again");
        await Eventually.True(async () => (await queue.GetStats()).AwaitingFirstResponse == 0, "the second answer to count");
        Assert.Equal(firstResponse, (await chat.Peek()).FirstResponseSeconds);

        await chat.Close(visitor);
        Assert.Equal((0, 0), ((await queue.GetStats()).Waiting, (await queue.GetStats()).AwaitingFirstResponse));
    }

    private static async Task<DateTimeOffset?> ReassignedTo(string agentId, IConversationGrain chat, DateTimeOffset? assignedBefore)
    {
        ConversationView? now = null;
        await Eventually.True(async () => (now = await chat.Peek()) is { Status: ConversationStatus.Active } && now.AgentId == agentId && now.AssignedAt > assignedBefore,
            $"the chat to be assigned to {agentId} again");
        return now!.AssignedAt;
    }

    [Fact]
    public async Task ARevisedRatingReplacesTheFirstInTheAverageAndIsReviewedAgain()
    {
        var queue = Floor.Queue(5);
        var rater = Floor.Agent(queue, max: 5);
        await _cluster.GoOnline(rater);
        var (view, visitor) = await _cluster.StartChat(queue);
        var chat = Grains.GetGrain<IConversationGrain>(view.ConversationId);
        await chat.Send(new Caller(Roles.Agent, rater, Floor.DisplayName(rater)), "a1", "hello");
        Assert.NotNull((await chat.Peek()).FirstResponseSeconds);
        await chat.Close(visitor);

        await chat.Rate(visitor, 1, "bad");
        var reviewed = await chat.MarkFeedbackReviewed(Boss, true);
        Assert.Equal((1, Boss.Id), (reviewed.Revisions, reviewed.ReviewedBy));
        await chat.Rate(visitor, 5, "sorted out after all");
        var revised = await chat.MarkFeedbackReviewed(Boss, false);
        Assert.Equal((5, 2, false), (revised.Score, revised.Revisions, revised.Reviewed));

        // The queue (told one way) counts one rating of 5, not two ratings.
        await Eventually.True(async () => await Grains.GetGrain<IQueueGrain>(queue).GetStats() is { Ratings: 1, CsatAverage: 5.0, AwaitingFirstResponse: 0 },
            "the queue to count one rating of 5 and no conversation waiting for an answer");
    }
}
