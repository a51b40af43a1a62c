namespace LiveChat.Tests.Grains;

/// <summary>Visitors who leave are let go (the grain cluster's grace is 2 s): abandoned while waiting, closed or released while assigned.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class VisitorPresenceTests(GrainCluster cluster)
{
    private IGrainFactory Grains => cluster.Grains;
    private Floor Floor => cluster.Floor;

    [Fact]
    public async Task AWaitingVisitorGoneLongerThanTheGraceIsAbandonedAndNeverAssignedWhileOneBackInTimeKeepsTheirPlace()
    {
        var queue = Floor.Queue(1);
        var agentId = Floor.Agent(queue, max: 1);
        var (leaver, leaverCaller) = await cluster.StartChat(queue);
        var (reloader, _) = await cluster.StartChat(queue);
        var (third, _) = await cluster.StartChat(queue);

        // One closes the tab; another reloads the page, away for a moment, back within the grace.
        await Visitor(leaver).Disconnected(GrainCluster.VisitorConnection(leaver.VisitorId));
        await Visitor(reloader).Disconnected(GrainCluster.VisitorConnection(reloader.VisitorId));
        await Visitor(reloader).Connected("reloaded");

        await Eventually.True(async () => (await Conversation(leaver).Peek()) is { Status: ConversationStatus.Closed, ClosedReason: ClosedReasons.Abandoned },
            "the chat of the visitor who left to be abandoned");
        Assert.Equal([reloader.ConversationId, third.ConversationId], await Grains.GetGrain<IQueueGrain>(queue).GetWaitingIds(10));
        // Peek answers while the close goes on (it interleaves), so the closed state can show a moment before the
        // queue has counted the abandon.
        await Eventually.True(async () => (await Grains.GetGrain<IQueueGrain>(queue).GetStats()).Abandoned == 1, "the queue to count one abandoned chat");
        var said = await Conversation(leaver).GetMessages(leaverCaller, 0, 10);
        Assert.Contains(said, m => m.SenderRole == Roles.System && m.Text.Contains("left before an agent was free"));

        // The agent who comes gets the visitor who stayed, not the one who left.
        await cluster.GoOnline(agentId);
        await Eventually.True(async () => (await Conversation(reloader).Peek()).AgentId == agentId, "the visitor who stayed to be assigned");
        Assert.Equal([reloader.ConversationId], await Grains.GetGrain<IAgentGrain>(agentId).GetConversationIds());
        await Eventually.True(async () => (await Conversation(third).Peek()) is { Status: ConversationStatus.Queued, QueuePosition: 1 }, "the third visitor to be next");
    }

    [Fact]
    public async Task AnAssignedChatWhoseVisitorLeftIsClosedWithALineAndTheAgentGetsTheNextChat()
    {
        var queue = Floor.Queue(1);
        var agentId = Floor.Agent(queue, max: 1);
        await cluster.GoOnline(agentId);
        var (gone, _) = await cluster.StartChat(queue);
        var (next, _) = await cluster.StartChat(queue);
        Assert.Equal(agentId, gone.AgentId);
        Assert.Equal(ConversationStatus.Queued, next.Status);

        await Visitor(gone).Disconnected(GrainCluster.VisitorConnection(gone.VisitorId));

        await Eventually.True(async () => (await Conversation(next).Peek()).AgentId == agentId, "the agent to get the next chat");
        var closed = await Conversation(gone).Peek();
        Assert.Equal((ConversationStatus.Closed, ClosedReasons.VisitorLeft), (closed.Status, closed.ClosedReason));
        var said = await Conversation(gone).GetMessages(new Caller(Roles.Agent, agentId, "agent"), 0, 10);
        Assert.Contains(said, m => m.SenderRole == Roles.System && m.Text.Contains("left the chat"));
    }

    [Fact]
    public async Task InAQueueThatReleasesThemAChatWhoseVisitorLeftStopsCountingUntilTheyAreBack()
    {
        var queue = cluster.ReleasingQueue;
        var agentId = Floor.Agent(queue, max: 7);
        await cluster.GoOnline(agentId);
        await Grains.GetGrain<IAgentGrain>(agentId).SetMaxConversations(1);
        var (gone, _) = await cluster.StartChat(queue);
        var (next, _) = await cluster.StartChat(queue);
        Assert.Equal(ConversationStatus.Queued, next.Status);

        await Visitor(gone).Disconnected(GrainCluster.VisitorConnection(gone.VisitorId));

        // Still open, shown to the agent as gone, and their slot goes to the next visitor.
        await Eventually.True(async () => (await Conversation(next).Peek()).AgentId == agentId, "the agent to get the next chat");
        Assert.Equal((ConversationStatus.Active, VisitorPresence.Gone), ((await Conversation(gone).Peek()).Status, (await Conversation(gone).Peek()).VisitorPresence));
        Assert.Equal(2, (await Grains.GetGrain<IAgentGrain>(agentId).GetConversationIds()).Count);
        Assert.Equal(1, (await Grains.GetGrain<IAgentGrain>(agentId).GetView()).ActiveConversations);

        // Back, after both their grain and the chat's were deactivated meanwhile (idle, a restart): the chat counts again,
        // and the agent shows them here.
        await cluster.Deactivate(Conversation(gone));
        await cluster.Deactivate(Visitor(gone));
        await Visitor(gone).Connected("back");
        await Eventually.True(async () => (await Grains.GetGrain<IAgentGrain>(agentId).GetView()).ActiveConversations == 2, "the chat to count again");
        Assert.Equal(VisitorPresence.Here, (await Conversation(gone).Peek()).VisitorPresence);
    }

    [Fact]
    public async Task AChatWhoseVisitorIsGoneIsAbandonedWhenItsAgentLeavesRatherThanHandedToTheNext()
    {
        var queue = cluster.ReleasingQueue;
        var agentId = Floor.Agent(queue, max: 7);
        await cluster.GoOnline(agentId);
        var (gone, _) = await cluster.StartChat(queue);
        await Visitor(gone).Disconnected(GrainCluster.VisitorConnection(gone.VisitorId));
        await Eventually.True(async () => (await Conversation(gone).Peek()).VisitorPresence == VisitorPresence.Gone, "the visitor to count as gone");

        // The agent leaves: the chat goes back to the queue, where nobody is waiting for it.
        await Grains.GetGrain<IAgentGrain>(agentId).SetStatus(AgentStatus.Away);

        await Eventually.True(async () => (await Conversation(gone).Peek()) is { Status: ConversationStatus.Closed, ClosedReason: ClosedReasons.Abandoned },
            "the chat to be abandoned");
        Assert.Empty(await Grains.GetGrain<IQueueGrain>(queue).GetWaitingIds(10));
    }

    [Fact]
    public async Task AnAssignedChatInWhichNobodyWroteForTheQueuesIdleTimeIsClosedAndItsAgentGetsTheNextChat()
    {
        var queue = cluster.SilentQueue;
        var agentId = Floor.Agent(queue, max: 9);
        await cluster.GoOnline(agentId);
        await Grains.GetGrain<IAgentGrain>(agentId).SetMaxConversations(1);
        var (talking, visitor) = await cluster.StartChat(queue);
        var (next, _) = await cluster.StartChat(queue);
        Assert.Equal(agentId, talking.AgentId);

        // Messages keep the chat alive past the idle time...
        for (var i = 0; i < 3; i++)
        {
            await Conversation(talking).Send(visitor, $"m{i}", "still there?");
            await Task.Delay(TimeSpan.FromSeconds(GrainCluster.SilentQueueIdleSeconds / 2.0));
        }
        Assert.Equal(ConversationStatus.Active, (await Conversation(talking).Peek()).Status);

        // ...silence past it closes it, with a line saying why, and frees the agent's slot.
        await Eventually.True(async () => (await Conversation(next).Peek()).AgentId == agentId, "the agent to get the next chat");
        Assert.Equal((ConversationStatus.Closed, ClosedReasons.Idle), ((await Conversation(talking).Peek()).Status, (await Conversation(talking).Peek()).ClosedReason));
        var said = await Conversation(talking).GetMessages(visitor, 0, 10);
        Assert.Contains(said, m => m.SenderRole == Roles.System && m.Text == "No one wrote for 2 seconds; the chat was closed.");
    }

    private IVisitorGrain Visitor(ConversationView view) => Grains.GetGrain<IVisitorGrain>(view.VisitorId);

    private IConversationGrain Conversation(ConversationView view) => Grains.GetGrain<IConversationGrain>(view.ConversationId);
}
