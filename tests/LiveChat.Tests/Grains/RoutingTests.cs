
namespace LiveChat.Tests.Grains;

[Collection(GrainClusterCollection.Name)]
public sealed class RoutingTests(GrainCluster cluster)
{
    private IGrainFactory Grains => cluster.Grains;
    private Floor Floor => cluster.Floor;

    [Fact]
    public async Task ThirdChatWaitsWhenAgentCapacityIsTwo()
    {
        var queue = Floor.Queue(2);
        var cap = Floor.Agent(queue, max: 2);
        await cluster.GoOnline(cap);

        var first = await StartChat(queue);
        var second = await StartChat(queue);
        var third = await StartChat(queue);

        Assert.Equal((ConversationStatus.Active, cap), (first.Status, first.AgentId));
        Assert.Equal((ConversationStatus.Active, cap), (second.Status, second.AgentId));
        Assert.Equal(ConversationStatus.Queued, third.Status);
        Assert.Equal(1, third.QueuePosition);
        Assert.Equal(2, (await Agent(cap).GetView()).ActiveConversations);

        // A waiting visitor keeps their place through a fresh activation of the conversation.
        await cluster.Deactivate(Conversation(third));
        Assert.Equal(1, (await Conversation(third).Peek()).QueuePosition);
    }

    [Fact]
    public async Task AnAgentHoldingATransferredChatIsNotRoutedChatsFromThatQueue()
    {
        var queue = Floor.Queue(1);
        var xferer = Floor.Agent(queue, max: 1);
        var otherQueue = Floor.Queue(100);
        var cap2 = Floor.Agent(otherQueue, max: 100);
        await cluster.GoOnline(xferer);
        await cluster.GoOnline(cap2);
        var chat = await StartChat(queue);
        Assert.Equal(xferer, chat.AgentId);
        await Conversation(chat).Transfer(new Caller(Roles.Agent, xferer, Floor.DisplayName(xferer)), new TransferRequest(ToAgentId: cap2));
        await Agent(xferer).SetStatus(AgentStatus.Offline);
        await StartChat(otherQueue); // cap2's load changes, and every queue it tells hears it

        var next = await StartChat(queue);

        Assert.Equal(cap2, (await Conversation(chat).Peek()).AgentId);
        Assert.Equal(ConversationStatus.Queued, next.Status);
        Assert.Equal(0, (await Grains.GetGrain<IQueueGrain>(queue).GetStats()).AgentsOnline);
    }

    [Fact]
    public async Task HeadOfTheQueueIsAssignedWhenAnAgentClosesAChat()
    {
        var queue = Floor.Queue(1);
        var closer = Floor.Agent(queue, max: 1);
        await cluster.GoOnline(closer);
        var active = await StartChat(queue);
        var head = await StartChat(queue);
        var next = await StartChat(queue);
        Assert.Equal((1, 2), (head.QueuePosition, next.QueuePosition));

        await Conversation(active).Close(new Caller(Roles.Agent, closer, Floor.DisplayName(closer)));

        await Eventually.True(async () => (await Conversation(head).Peek()).Status == ConversationStatus.Active, "the head of the queue to be assigned");
        Assert.Equal(closer, (await Conversation(head).Peek()).AgentId);
        await Eventually.True(async () => (await Conversation(next).Peek()).QueuePosition == 1, "the next visitor to move up to position 1");
        Assert.Equal(ConversationStatus.Queued, (await Conversation(next).Peek()).Status);
    }

    [Fact]
    public async Task AgentGoingAwayRequeuesTheirChatsAheadOfThoseWhoCameAfterThem()
    {
        var queue = Floor.Queue(2, 1);
        var away1 = Floor.Agent(queue, max: 2);
        var away2 = Floor.Agent(queue, max: 1);
        await cluster.GoOnline(away1);
        var a = await StartChat(queue);
        var b = await StartChat(queue);
        var waiting = await StartChat(queue);
        Assert.Equal(ConversationStatus.Queued, waiting.Status);

        await Agent(away1).SetStatus(AgentStatus.Away);

        // a and b go back ahead of the visitor who was already waiting, in their order.
        await Eventually.True(async () => (await Conversation(a).Peek()).QueuePosition == 1, "the first requeued chat at position 1");
        await Eventually.True(async () => (await Conversation(b).Peek()).QueuePosition == 2, "the second requeued chat at position 2");
        await Eventually.True(async () => (await Conversation(waiting).Peek()).QueuePosition == 3, "the waiting visitor behind them");
        Assert.Equal(0, (await Agent(away1).GetView()).ActiveConversations);
        Assert.Equal(3, (await Grains.GetGrain<IQueueGrain>(queue).GetStats()).Waiting);

        // The next agent with room takes the head first.
        await cluster.GoOnline(away2);
        await Eventually.True(async () => (await Conversation(a).Peek()).AgentId == away2, "the head to go to the next agent");
        Assert.Equal(ConversationStatus.Queued, (await Conversation(b).Peek()).Status);
        var messages = await Conversation(a).GetMessages(new Caller(Roles.Agent, away2, Floor.DisplayName(away2)), 0, 100);
        Assert.Contains(messages, m => m.SenderRole == Roles.System && m.Text.Contains("no longer available"));
    }

    [Fact]
    public async Task AgentWithoutConnectionsGoesAwayAfterTheGracePeriodAndTheirChatsAreRequeued()
    {
        var queue = Floor.Queue(2);
        var present = Floor.Agent(queue, max: 2);
        var agent = Agent(present);
        await agent.Connect("connection-1");
        await agent.SetStatus(AgentStatus.Online);
        var chat = await StartChat(queue);
        Assert.Equal(present, chat.AgentId);

        // Dropping and coming back within the grace period (1 s here) changes nothing.
        await agent.Disconnect("connection-1");
        await agent.Connect("connection-2");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(AgentStatus.Online, (await agent.GetView()).Status);
        Assert.Equal(ConversationStatus.Active, (await Conversation(chat).Peek()).Status);

        // Staying away past it sets the agent Away and puts the chat back in the queue.
        await agent.Disconnect("connection-2");
        await Eventually.True(async () => (await agent.GetView()).Status == AgentStatus.Away, "the agent to be set Away");
        await Eventually.True(async () => (await Conversation(chat).Peek()).Status == ConversationStatus.Queued, "the chat to be requeued");
        Assert.Equal(1, (await Conversation(chat).Peek()).QueuePosition);
    }

    [Fact]
    public async Task NewChatGoesToTheLeastLoadedAgent()
    {
        var queue = Floor.Queue(3, 3);
        var (least1, least2) = (Floor.Agent(queue), Floor.Agent(queue));
        await cluster.GoOnline(least1);
        var first = await StartChat(queue);
        var second = await StartChat(queue);
        Assert.Equal(least1, first.AgentId);
        Assert.Equal(least1, second.AgentId);

        await cluster.GoOnline(least2);
        var third = await StartChat(queue);
        var fourth = await StartChat(queue);
        // least2 carries 0 then 1 chats against least1's 2, so both new chats go to least2.
        Assert.Equal(least2, third.AgentId);
        Assert.Equal(least2, fourth.AgentId);
    }

    [Fact]
    public async Task SixtyConcurrentChatsAgainstTenAgentsOfCapacityThreeGiveThirtyActiveAndThirtyQueued()
    {
        var queue = Floor.Queue([.. Enumerable.Repeat<Seat>(3, 10)]);
        var burst = Floor.Agents(queue, 10, max: 3);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => cluster.GoOnline(burst[i])));

        var started = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => StartChat(queue)));

        var views = await Task.WhenAll(started.Select(c => Conversation(c).Peek()));
        Assert.Equal(30, views.Count(v => v.Status == ConversationStatus.Active));
        Assert.Equal(30, views.Count(v => v.Status == ConversationStatus.Queued));
        var agents = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Agent(burst[i]).GetView()));
        Assert.All(agents, a => Assert.Equal(3, a.ActiveConversations));
        Assert.All(views.Where(v => v.AgentId is not null).GroupBy(v => v.AgentId), g => Assert.True(g.Count() <= 3, $"{g.Key} has {g.Count()} chats"));
        var stats = await Grains.GetGrain<IQueueGrain>(queue).GetStats();
        Assert.Equal((30, 0), (stats.Waiting, stats.FreeCapacity));
        Assert.Equal(Enumerable.Range(1, 30), views.Where(v => v.QueuePosition is not null).Select(v => v.QueuePosition!.Value).Order());
    }

    [Fact]
    public async Task AChatHandedOutAgainBeforeItHearsItsAgentGaveItBackGoesToItsNewAgent()
    {
        var queue = Floor.Queue(2, 2, 2);
        var (leaver, taker, latecomer) = (Floor.Agent(queue, max: 2), Floor.Agent(queue, max: 2), Floor.Agent(queue, max: 2));
        // Messages between grains may arrive out of order; here the conversation hears its news in the worst order.
        await cluster.GoOnline(leaver);
        var chat = await StartChat(queue);
        Assert.Equal(leaver, chat.AgentId);
        var visitor = new Caller(Roles.Visitor, chat.VisitorId, chat.VisitorName);

        // Given back and handed straight back to the same agent: a new assignment, owed an answer of its own...
        await Conversation(chat).Assigned(await Agent(leaver).GetView(), requeuedFromAgentId: null, "as_again");
        var renewed = (await Conversation(chat).Peek()).AssignedAt;
        Assert.True(renewed > chat.AssignedAt, "the assignment is renewed");
        // ...which, sent again (the queue did not hear back), changes nothing...
        await Conversation(chat).Assigned(await Agent(leaver).GetView(), requeuedFromAgentId: null, "as_again");
        Assert.Equal(renewed, (await Conversation(chat).Peek()).AssignedAt);
        // ...and the notice of the return, arriving after it, is old news: the chat stays with its agent.
        await Conversation(chat).Returned(queue, leaver, "rt_again");

        // The agent lets go, and the queue gives the chat to another agent before the conversation hears of it.
        await Agent(leaver).Release(chat.ConversationId);
        await cluster.GoOnline(taker);
        var taken = await Agent(taker).TryReserve(chat.ConversationId, queue, DateTimeOffset.UtcNow);
        Assert.True(taken.Accepted, taken.Reason);
        await Conversation(chat).Assigned(taken.Agent, requeuedFromAgentId: null, "as_taker");
        Assert.Equal(taker, (await Conversation(chat).Peek()).AgentId);

        var said = (await Conversation(chat).GetMessages(visitor, 0, 100)).Where(m => m.SenderRole == Roles.System).Select(m => m.Text).ToList();
        Assert.Equal([$"{Floor.DisplayName(leaver)} joined the conversation.", $"{Floor.DisplayName(leaver)} is no longer available; {Floor.DisplayName(taker)} joined the conversation."], said);
        Assert.Equal(ConversationStatus.Active, (await Conversation(chat).Peek()).Status);

        // A chat its agent still holds is not taken from them: the late offer's slot is given back.
        await cluster.GoOnline(latecomer);
        var late = await Agent(latecomer).TryReserve(chat.ConversationId, queue, DateTimeOffset.UtcNow);
        Assert.Equal(1, late.Agent.ActiveConversations);
        await Conversation(chat).Assigned(late.Agent, requeuedFromAgentId: null, "as_late");
        await Eventually.True(async () => (await Agent(latecomer).GetView()).ActiveConversations == 0, "the late offer's slot to be given back");
        Assert.Equal(taker, (await Conversation(chat).Peek()).AgentId);
        await Conversation(chat).Close(visitor);
    }

    [Fact]
    public async Task AnAssignmentWhoseAnswerWasLostStillReachesTheConversation()
    {
        var queueName = Floor.Queue(1);
        var finder = Floor.Agent(queueName, max: 1);
        // Nobody serves the queue yet, so the chat waits; taken out, it is not handed out when its agent comes.
        var chat = await StartChat(queueName);
        var queue = Grains.GetGrain<IQueueGrain>(queueName);
        Assert.Equal(ConversationStatus.Queued, chat.Status);
        Assert.True(await queue.Remove(chat.ConversationId));
        await cluster.GoOnline(finder);
        await Eventually.True(async () => (await queue.GetStats()).FreeCapacity == 1, "the queue to know its agent is online");

        // The conversation's enqueue, made again here: its answer (an assignment) never reaches the conversation, as if
        // its node had died with the call out. Only the queue's own notice can tell it.
        var ticket = await queue.Enqueue(new QueueEntry(chat.ConversationId, chat.CreatedAt), atHead: false);
        Assert.Equal(finder, ticket.AssignedTo?.AgentId);

        await Eventually.True(async () => (await Conversation(chat).Peek()) is { Status: ConversationStatus.Active, AgentId: var agentId } && agentId == finder,
            "the conversation to hear of its agent");
        var visitor = new Caller(Roles.Visitor, chat.VisitorId, chat.VisitorName);
        Assert.Single(await Conversation(chat).GetMessages(visitor, 0, 100), m => m.Text == $"{Floor.DisplayName(finder)} joined the conversation.");
        Assert.Equal(1, (await Agent(finder).GetView()).ActiveConversations);
        await Conversation(chat).Close(visitor);
    }

    [Fact]
    public async Task AnOldAssignmentNoticeSentAgainAfterItsAgentLetTheChatGoChangesNothing()
    {
        var queue = Floor.Queue(1);
        var stalest = Floor.Agent(queue, max: 1);
        await cluster.GoOnline(stalest);
        var chat = await StartChat(queue);
        Assert.Equal(stalest, chat.AgentId);
        var assignedTo = await Agent(stalest).GetView();
        // The agent goes offline, and the chat waits again: nobody else serves the queue.
        await Agent(stalest).SetStatus(AgentStatus.Offline);
        await Eventually.True(async () => (await Conversation(chat).Peek()).Status == ConversationStatus.Queued, "the chat to wait again");

        // A later activation of the queue sends an assignment's notice it had not struck: the agent no longer holds the chat.
        await Conversation(chat).Assigned(assignedTo, requeuedFromAgentId: null, "as_old");

        var view = await Conversation(chat).Peek();
        Assert.Equal((ConversationStatus.Queued, null), (view.Status, view.AgentId));
        var visitor = new Caller(Roles.Visitor, chat.VisitorId, chat.VisitorName);
        var said = (await Conversation(chat).GetMessages(visitor, 0, 100)).Where(m => m.SenderRole == Roles.System).Select(m => m.Text).ToList();
        Assert.Equal([$"{Floor.DisplayName(stalest)} joined the conversation.", $"{Floor.DisplayName(stalest)} is no longer available; you are back in the queue."], said);
        Assert.Equal(0, (await Agent(stalest).GetView()).ActiveConversations);
        await Conversation(chat).Close(visitor);
    }

    [Fact]
    public async Task AHandBackSentAgainAfterItsAnswerWasLostDoesNotRequeueAChatThatMovedOn()
    {
        var queueName = Floor.Queue();
        // Nobody serves this queue, so what waits stays waiting.
        var queue = Grains.GetGrain<IQueueGrain>(queueName);
        var chat = await StartChat(queueName);
        var entry = new QueueEntry(chat.ConversationId, DateTimeOffset.UtcNow);
        Assert.True(await queue.Remove(chat.ConversationId));

        await queue.ReturnToQueue("giver", "hb_first", [entry]);
        Assert.Equal(1, (await queue.GetStats()).Waiting);
        // The chat moves on (another agent takes it); then the agent, not having heard back, sends the same hand-back.
        Assert.True(await queue.Remove(chat.ConversationId));
        await queue.ReturnToQueue("giver", "hb_first", [entry]);
        Assert.Equal(0, (await queue.GetStats()).Waiting);

        // A new hand-back of the same chat is a new event, and counts.
        await queue.ReturnToQueue("giver", "hb_second", [entry]);
        Assert.Equal(1, (await queue.GetStats()).Waiting);
        await Conversation(chat).Close(new Caller(Roles.Visitor, chat.VisitorId, chat.VisitorName));
    }

    [Fact]
    public async Task AChatTransferredAwayAsItsAgentLeftDoesNotStayInTheQueueItLeft()
    {
        var queue = Floor.Queue(2);
        var agentId = Floor.Agent(queue, max: 2);
        var elsewhere = Floor.Queue();
        await cluster.GoOnline(agentId);
        var chat = await StartChat(queue);
        var agent = new Caller(Roles.Agent, agentId, Floor.DisplayName(agentId));

        await Conversation(chat).Transfer(agent, new TransferRequest(ToQueue: elsewhere));
        await Agent(agentId).SetStatus(AgentStatus.Away);
        // The agent's leaving, sent before the transfer freed the chat, reaches the queue after it.
        var now = DateTimeOffset.UtcNow;
        await Grains.GetGrain<IQueueGrain>(queue).ReturnToQueue(agentId, $"hb_{Guid.NewGuid():N}", [new QueueEntry(chat.ConversationId, now)]);

        await Eventually.True(async () => (await Grains.GetGrain<IQueueGrain>(queue).GetStats()).Waiting == 0, "the queue it left to hold nobody");
        Assert.Equal([chat.ConversationId], await Grains.GetGrain<IQueueGrain>(elsewhere).GetWaitingIds(10));
        Assert.Equal((ConversationStatus.Queued, 1), ((await Conversation(chat).Peek()).Status, (await Conversation(chat).Peek()).QueuePosition));
    }

    [Fact]
    public async Task AWaitingVisitorIsPromisedNoWaitOnceNoAgentIsOnline()
    {
        var queue = Floor.Queue(1);
        var agentId = Floor.Agent(queue, max: 1);
        await cluster.GoOnline(agentId);
        // Two assignments give the queue a rate to estimate by.
        var first = await StartChat(queue);
        await Conversation(first).Close(new Caller(Roles.Visitor, first.VisitorId, first.VisitorName));
        var second = await StartChat(queue);
        Assert.Equal(agentId, second.AgentId);
        var waiting = await StartChat(queue);
        await Eventually.True(async () => (await Conversation(waiting).Peek()).EstimatedWaitSeconds is > 0, "an estimate while the agent is busy");

        await Agent(agentId).SetStatus(AgentStatus.Away);

        // The agent's chat went back ahead of it; nobody is there to take either.
        await Eventually.True(async () => (await Conversation(waiting).Peek()) is { QueuePosition: 2, EstimatedWaitSeconds: null },
            "the estimate to go once nobody is online");
    }

    [Fact]
    public async Task AChatGivenBackWaitsBehindVisitorsWhoWaitedBeforeItsVisitorDidAndAheadOfThoseWhoCameLater()
    {
        var queue = Floor.Queue(Seat.Supervisor(1));
        var supervisorId = Floor.Supervisor(queue, max: 1);
        var early = await StartChat(queue);
        var taken = await StartChat(queue);
        // A supervisor takes the second visitor's chat out of turn, and a third visitor comes.
        await Conversation(taken).TakeOver(new Caller(Roles.Supervisor, supervisorId, Floor.DisplayName(supervisorId)));
        var later = await StartChat(queue);
        Assert.Equal((1, 2), ((await Conversation(early).Peek()).QueuePosition, (await Conversation(later).Peek()).QueuePosition));

        await Agent(supervisorId).SetStatus(AgentStatus.Offline);

        await Eventually.True(async () => (await Conversation(taken).Peek()).QueuePosition == 2, "the chat given back to wait where its visitor first waited");
        Assert.Equal([early.ConversationId, taken.ConversationId, later.ConversationId], await Grains.GetGrain<IQueueGrain>(queue).GetWaitingIds(10));
        await Eventually.True(async () => (await Conversation(later).Peek()).QueuePosition == 3, "the later visitor to hear they are behind it");
    }

    [Fact]
    public async Task AQueueActivatedAfreshHasEveryoneWaitingInTheirPlace()
    {
        var queue = Floor.Queue();
        var chats = new List<ConversationView>();
        for (var i = 0; i < 5; i++)
            chats.Add(await StartChat(queue));
        await cluster.Deactivate(Grains.GetGrain<IQueueGrain>(queue));

        Assert.Equal(chats.Select(c => c.ConversationId), await Grains.GetGrain<IQueueGrain>(queue).GetWaitingIds(10));
        Assert.Equal(4, (await Grains.GetGrain<IQueueGrain>(queue).GetPlace(chats[3].ConversationId))?.Position);
        var next = await StartChat(queue);
        Assert.Equal(6, next.QueuePosition);
    }

    private IAgentGrain Agent(string id) => Grains.GetGrain<IAgentGrain>(id);

    private IConversationGrain Conversation(ConversationView view) => Grains.GetGrain<IConversationGrain>(view.ConversationId);

    private async Task<ConversationView> StartChat(string queue) => (await cluster.StartChat(queue)).View;
}
