namespace LiveChat.Tests.Grains;

/// <summary>Honest availability: widgets hear when a queue takes chats or not, and a full queue refuses in words.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class AvailabilityTests(GrainCluster cluster)
{
    private IGrainFactory Grains => cluster.Grains;
    private Floor Floor => cluster.Floor;

    [Fact]
    public async Task OpenWidgetsHearTheMomentSomeoneComesOnlineAndTheMomentEveryoneHasLeft()
    {
        var queue = Floor.Queue(1);
        var agentId = Floor.Agent(queue, max: 1);
        var before = await Grains.GetGrain<IQueueGrain>(queue).GetAvailability();
        Assert.Equal((false, false, AvailabilityReasons.NobodyOnline), (before.Online, before.Accepting, before.Reason));

        await cluster.GoOnline(agentId);
        var online = await cluster.Pushes.WaitFor("all-visitors", "AvailabilityChanged", p => p.Arg<QueueAvailability>() is { Online: true } a && a.Queue == queue);
        Assert.Equal((true, null), (online.Arg<QueueAvailability>().Accepting, online.Arg<QueueAvailability>().Reason));

        await Grains.GetGrain<IAgentGrain>(agentId).SetStatus(AgentStatus.Away);
        await cluster.Pushes.WaitFor("all-visitors", "AvailabilityChanged", p => p.Arg<QueueAvailability>() is { Online: false, Reason: AvailabilityReasons.NobodyOnline } a && a.Queue == queue);
    }

    [Fact]
    public async Task AFullQueueRefusesANewChatInWordsAndTakesOneAgainOnceThereIsRoom()
    {
        var queue = cluster.CappedQueue;
        var agentId = Floor.Agent(queue, max: 8);
        await cluster.GoOnline(agentId);
        await Grains.GetGrain<IAgentGrain>(agentId).SetMaxConversations(0);
        var waiting = new List<(ConversationView View, Caller Visitor)>();
        for (var i = 0; i < GrainCluster.CappedQueueMaxWaiting; i++)
            waiting.Add(await cluster.StartChat(queue));

        var refused = await Assert.ThrowsAsync<ChatRuleException>(() => cluster.StartChat(queue));
        Assert.Contains("full", refused.Message);
        var full = await Grains.GetGrain<IQueueGrain>(queue).GetAvailability();
        Assert.Equal((false, AvailabilityReasons.Full, GrainCluster.CappedQueueMaxWaiting), (full.Accepting, full.Reason, full.Waiting));

        await Grains.GetGrain<IConversationGrain>(waiting[0].View.ConversationId).Close(waiting[0].Visitor);
        Assert.Equal(ConversationStatus.Queued, (await cluster.StartChat(queue)).View.Status);
    }

    [Fact]
    public async Task OneAddressCannotFillAQueueWhileOthersStillGetIn()
    {
        var queue = Floor.Queue();
        for (var i = 0; i < GrainCluster.WaitingPerAddress; i++)
            await cluster.StartChat(queue, address: "203.0.113.7");

        var refused = await Assert.ThrowsAsync<ChatRuleException>(() => cluster.StartChat(queue, address: "203.0.113.7"));
        Assert.Contains("from your address", refused.Message);
        Assert.Equal(ConversationStatus.Queued, (await cluster.StartChat(queue, address: "198.51.100.2")).View.Status);
        Assert.Equal(GrainCluster.WaitingPerAddress + 1, (await Grains.GetGrain<IQueueGrain>(queue).GetStats()).Waiting);
    }
}
