using LiveChat.Server.Routing;
using LiveChat.Server.Visitors;

namespace LiveChat.Tests.Grains;

/// <summary>
/// A write that fails, before the store applied it or after with its answer lost (Redis away for a moment), leaves no
/// conversation stuck and nothing told twice: a retry finishes the job, and the next message goes on.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class WriteFailureTests(GrainCluster cluster)
{
    private IGrainFactory Grains => cluster.Grains;
    private Floor Floor => cluster.Floor;
    private Faults Faults => cluster.Faults;

    private async Task<(IConversationGrain Chat, Caller Visitor, Caller Agent)> Chat()
    {
        var queue = Floor.Queue(3);
        var agentId = Floor.Agent(queue, max: 3);
        await cluster.GoOnline(agentId);
        var (view, visitor) = await cluster.StartChat(queue, text: "hello");
        Assert.Equal(agentId, view.AgentId);
        return (Grains.GetGrain<IConversationGrain>(view.ConversationId), visitor, new Caller(Roles.Agent, agentId, Floor.DisplayName(agentId)));
    }

    /// <summary>The call fails, and by the planned fault (Orleans wraps a storage failure in one of its own).</summary>
    private static async Task FailsByTheFault(Func<Task> call)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(call);
        Assert.Contains("fault injected", failure.ToString());
    }

    [Fact]
    public async Task AMessageWhoseAnswerWasLostIsAcknowledgedOnceOnResendAndTheChatGoesOn()
    {
        var (chat, visitor, agent) = await Chat();
        Faults.LogAppend(chat.GetPrimaryKeyString(), "m1", FaultAt.AfterApplied);

        await FailsByTheFault(() => chat.Send(visitor, "m1", "is my order lost?"));
        var resent = await chat.Send(visitor, "m1", "is my order lost?");
        var next = await chat.Send(visitor, "m2", "hello?");
        var answer = await chat.Send(agent, "a1", "it is on its way");

        Assert.True(resent.Duplicate);
        Assert.Equal((resent.Seq + 1, false, next.Seq + 1), (next.Seq, next.Duplicate, answer.Seq));
        var texts = (await chat.GetMessages(visitor, 0, 100)).Where(m => m.SenderRole != Roles.System).Select(m => m.Text);
        Assert.Equal(["hello", "is my order lost?", "hello?", "it is on its way"], texts);
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AMessageWhoseAnswerWasLostReachesTheOtherSideWhenResent()
    {
        var (chat, visitor, agent) = await Chat();
        Faults.LogAppend(chat.GetPrimaryKeyString(), "m1", FaultAt.AfterApplied);

        // Stored, but the node lost the answer before it told anyone; the resend is answered from the log.
        await FailsByTheFault(() => chat.Send(visitor, "m1", "my order number is 4711"));
        var resent = await chat.Send(visitor, "m1", "my order number is 4711");

        Assert.True(resent.Duplicate);
        var shown = await cluster.Pushes.WaitFor($"agent:{agent.Id}", nameof(IAgentClient.MessageReceived), p => p.Arg<ChatMessage>().ClientMessageId == "m1");
        Assert.Equal(resent.Seq, shown.Arg<ChatMessage>().Seq);
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AnAgentsFirstAnswerWhoseAckWasLostCountsAsTheFirstResponseWhenResent()
    {
        var (chat, visitor, agent) = await Chat();
        Faults.LogAppend(chat.GetPrimaryKeyString(), "a1", FaultAt.AfterApplied);

        await FailsByTheFault(() => chat.Send(agent, "a1", "hello, I am here"));
        var resent = await chat.Send(agent, "a1", "hello, I am here");

        Assert.True(resent.Duplicate);
        Assert.NotNull((await chat.GetView(visitor)).FirstResponseSeconds);
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AWhisperWhoseAnswerWasLostReachesTheAgentWhenResent()
    {
        var (chat, visitor, agent) = await Chat();
        var supervisor = new Caller(Roles.Supervisor, "watcher", "Watcher");
        Faults.LogAppend(chat.GetPrimaryKeyString(), "w1", FaultAt.AfterApplied);

        await FailsByTheFault(() => chat.AddInternal(supervisor, MessageKinds.Whisper, "w1", "offer a refund"));
        var resent = await chat.AddInternal(supervisor, MessageKinds.Whisper, "w1", "offer a refund");

        Assert.True(resent.Duplicate);
        await cluster.Pushes.WaitFor($"agent:{agent.Id}", nameof(IAgentClient.InternalMessageReceived), p => p.Arg<ChatMessage>().ClientMessageId == "w1");
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AMessageWhoseAnswerWasLostAndThatIsNeverResentDoesNotBlockTheNextOne()
    {
        var (chat, visitor, agent) = await Chat();
        Faults.LogAppend(chat.GetPrimaryKeyString(), "lost-answer", FaultAt.AfterApplied);

        await FailsByTheFault(() => chat.Send(agent, "lost-answer", "one moment"));
        var next = await chat.Send(agent, "a2", "found it");
        var visitors = await chat.Send(visitor, "v2", "thanks");

        var messages = await chat.GetMessages(visitor, 0, 100);
        Assert.Equal(Enumerable.Range(1, messages.Count).Select(i => (long)i), messages.Select(m => m.Seq));
        Assert.Equal(["one moment", "found it", "thanks"], messages.Where(m => m.SenderRole != Roles.System).Skip(1).Select(m => m.Text));
        Assert.Equal(next.Seq + 1, visitors.Seq);
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AWhisperWhoseAnswerWasLostDoesNotBlockTheNextOne()
    {
        var (chat, visitor, agent) = await Chat();
        var supervisor = new Caller(Roles.Supervisor, "watcher", "Watcher");
        Faults.LogAppend(chat.GetPrimaryKeyString(), "w1", FaultAt.AfterApplied);

        await FailsByTheFault(() => chat.AddInternal(supervisor, MessageKinds.Whisper, "w1", "offer a refund"));
        Assert.True((await chat.AddInternal(supervisor, MessageKinds.Whisper, "w1", "offer a refund")).Duplicate);
        var note = await chat.AddInternal(agent, MessageKinds.Note, "n1", "refund offered");

        Assert.Equal(["offer a refund", "refund offered"], (await chat.GetInternalMessages(agent, 0, 100)).Select(m => m.Text));
        Assert.Equal(2, note.Seq);
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AStartWhoseAnswerWasLostGoesOnWithTheSameConversationOnRetry()
    {
        var queue = Floor.Queue(3);
        var agentId = Floor.Agent(queue, max: 3);
        await cluster.GoOnline(agentId);
        var visitorId = $"v_{Guid.NewGuid():N}";
        var visitor = Grains.GetGrain<IVisitorGrain>(visitorId);
        await visitor.Touch("Ann", null, verified: false);
        // The conversation starts and reaches its agent; the visitor's own record of it is what fails.
        Faults.StateWrite<VisitorState>($"visitor/{visitorId}", state => state.Conversations.Count > 0, FaultAt.BeforeApplied);

        await FailsByTheFault(() => visitor.StartConversation(new StartConversationRequest(queue, Text: "my order is late")));
        var retried = await visitor.StartConversation(new StartConversationRequest(queue, Text: "my order is late"));

        Assert.Equal([retried.ConversationId], await Grains.GetGrain<IAgentGrain>(agentId).GetConversationIds());
        Assert.Equal([retried.ConversationId], (await visitor.GetConversations()).Select(c => c.ConversationId));
        var caller = new Caller(Roles.Visitor, visitorId, "Ann");
        Assert.Single(await Grains.GetGrain<IConversationGrain>(retried.ConversationId).GetMessages(caller, 0, 100), m => m.Text == "my order is late");
        await Grains.GetGrain<IConversationGrain>(retried.ConversationId).Close(caller);
    }

    [Fact]
    public async Task AConversationWhoseClosingWriteFailedClosesOnRetryForEveryoneAndStaysClosed()
    {
        var (chat, visitor, agent) = await Chat();
        var id = chat.GetPrimaryKeyString();
        Faults.StateWrite($"conversation/{id}", FaultAt.BeforeApplied);

        await FailsByTheFault(() => chat.Close(visitor));
        var closed = await chat.Close(visitor);
        await cluster.Deactivate(chat);

        Assert.Equal(ConversationStatus.Closed, closed.Status);
        Assert.Equal(ConversationStatus.Closed, (await chat.Peek()).Status);
        Assert.Single(await chat.GetMessages(visitor, 0, 100), m => m.SenderRole == Roles.System && m.Text.Contains("closed the conversation"));
        await cluster.Pushes.WaitFor($"agent:{agent.Id}", nameof(IAgentClient.ConversationUpdated), p => p.Arg<ConversationView>() is { Status: ConversationStatus.Closed } v && v.ConversationId == id);
        Assert.Equal(0, (await Grains.GetGrain<IAgentGrain>(agent.Id).GetView()).ActiveConversations);
    }

    [Fact]
    public async Task AConversationWhoseClosingWriteWasAppliedButUnansweredIsShownClosedOnRetryOnce()
    {
        var (chat, visitor, agent) = await Chat();
        var id = chat.GetPrimaryKeyString();
        Faults.StateWrite($"conversation/{id}", FaultAt.AfterApplied);

        await FailsByTheFault(() => chat.Close(visitor));
        var closed = await chat.Close(visitor);
        var late = await Record.ExceptionAsync(() => chat.Send(visitor, "after", "one more thing"));

        Assert.Equal(ConversationStatus.Closed, closed.Status);
        Assert.Equal("conversation is closed", Assert.IsType<ChatRuleException>(late).Message);
        // The write went through before its answer was lost; the retry writes the closed line and tells everyone, once.
        Assert.Single(await chat.GetMessages(visitor, 0, 100), m => m.SenderRole == Roles.System && m.Text.Contains("closed the conversation"));
        await cluster.Pushes.WaitFor($"agent:{agent.Id}", nameof(IAgentClient.ConversationUpdated), p => p.Arg<ConversationView>() is { Status: ConversationStatus.Closed } v && v.ConversationId == id);
    }

    [Fact]
    public async Task AnAgentWhoseGoingAwayWasStoredButUnansweredStillHandsTheirChatsBack()
    {
        var (chat, visitor, agent) = await Chat();
        Faults.StateWrite($"agent/{agent.Id}", FaultAt.AfterApplied);

        await FailsByTheFault(() => Grains.GetGrain<IAgentGrain>(agent.Id).SetStatus(AgentStatus.Away));
        var away = await Grains.GetGrain<IAgentGrain>(agent.Id).SetStatus(AgentStatus.Away);

        Assert.Equal((AgentStatus.Away, 0), (away.Status, away.ActiveConversations));
        await Eventually.True(async () => (await chat.Peek()).Status == ConversationStatus.Queued, "the chat to wait in its queue again");
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AnAgentWhoseGoingAwayFailedToBeStoredHandsTheirChatsBackOnRetry()
    {
        var (chat, visitor, agent) = await Chat();
        Faults.StateWrite($"agent/{agent.Id}", FaultAt.BeforeApplied);

        await FailsByTheFault(() => Grains.GetGrain<IAgentGrain>(agent.Id).SetStatus(AgentStatus.Away));
        var away = await Grains.GetGrain<IAgentGrain>(agent.Id).SetStatus(AgentStatus.Away);

        Assert.Equal((AgentStatus.Away, 0), (away.Status, away.ActiveConversations));
        await Eventually.True(async () => (await chat.Peek()).Status == ConversationStatus.Queued, "the chat to wait in its queue again");
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AnAssignmentTheQueueFailedToStoreGoesToTheAgentWhoseSlotItTookWhenTheChatAsksAgain()
    {
        var queue = Floor.Queue(2, 2);
        var (first, second) = (Floor.Agent(queue, max: 2), Floor.Agent(queue, max: 2));
        await cluster.GoOnline(first);
        Faults.QueueWrite(queue, change => change.NoticesAdded.Count > 0, FaultAt.BeforeApplied);

        // The queue did not answer: the visitor is told she waits, and the conversation asks its queue again.
        var (started, visitor) = await cluster.StartChat(queue, text: "my order is late");
        Assert.Equal(ConversationStatus.Queued, started.Status);
        await cluster.GoOnline(second);

        // A slot of the first agent was taken for this chat before the queue's write failed: the chat is theirs, and
        // the second agent, less busy, is left free for the next visitor.
        var chat = Grains.GetGrain<IConversationGrain>(started.ConversationId);
        await Eventually.True(async () => (await chat.Peek()).Status == ConversationStatus.Active, "the chat to reach an agent");
        Assert.Equal(first, (await chat.Peek()).AgentId);
        Assert.Equal([started.ConversationId], await Grains.GetGrain<IAgentGrain>(first).GetConversationIds());
        Assert.Empty(await Grains.GetGrain<IAgentGrain>(second).GetConversationIds());
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AChatWhoseAssignmentTheQueueFailedToStoreReachesTheAgentHoldingItsSlot()
    {
        var queue = Floor.Queue(1);
        var agentId = Floor.Agent(queue, max: 1);
        var (waiting, visitor) = await cluster.StartChat(queue, text: "anyone there?");
        var chat = Grains.GetGrain<IConversationGrain>(waiting.ConversationId);
        Faults.QueueWrite(queue, change => change.NoticesAdded.Count > 0, FaultAt.BeforeApplied);

        // The agent's arrival dispatches the chat to them, and the queue's write of it fails: nobody retries that.
        await cluster.GoOnline(agentId);
        // What the node does every few seconds: the queue wakes again.
        await Eventually.True(async () =>
        {
            await Grains.GetGrain<IQueueGrain>(queue).Wake();
            return (await chat.Peek()) is { Status: ConversationStatus.Active } view && view.AgentId == agentId;
        }, "the chat to reach the agent whose only slot it holds");
        Assert.Equal([waiting.ConversationId], await Grains.GetGrain<IAgentGrain>(agentId).GetConversationIds());
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AChatTransferredToAQueueThatFailedToStoreItWaitsThereAfterAll()
    {
        var (chat, visitor, agent) = await Chat();
        var unserved = Floor.Queue();
        Faults.QueueWrite(unserved, change => change.Line.JoinedEntries.Count > 0, FaultAt.BeforeApplied);

        // The transfer happened, and the agent hears so: the conversation asks the queue again, as nobody else would.
        var transferred = await chat.Transfer(agent, new TransferRequest(ToQueue: unserved));
        Assert.Equal((ConversationStatus.Queued, unserved), (transferred.Status, transferred.Queue));

        await Eventually.True(async () => (await Grains.GetGrain<IQueueGrain>(unserved).GetWaitingIds(10)).Contains(chat.GetPrimaryKeyString()),
            "the chat to wait in the queue it was transferred to");
        await Eventually.True(async () => (await chat.Peek()) is { Status: ConversationStatus.Queued, QueuePosition: 1 }, "the visitor to see their place");
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AnAnnouncementWhoseAnswerWasLostIsPublishedOnceOnRetryAndShown()
    {
        var supervisor = new Caller(Roles.Supervisor, "announcer", "Announcer");
        var announcements = Grains.GetGrain<IAnnouncementsGrain>(0);
        var text = $"Payments are down ({Guid.NewGuid():N})";
        Faults.StateWrite(announcements.GetGrainId().ToString(), FaultAt.AfterApplied);

        await FailsByTheFault(() => announcements.Publish(supervisor, new AnnouncementRequest(text, AnnouncementSeverities.Critical)));
        var retried = await announcements.Publish(supervisor, new AnnouncementRequest(text, AnnouncementSeverities.Critical));

        Assert.Equal([retried.Id], (await announcements.GetActive()).Where(a => a.Text == text).Select(a => a.Id));
        await cluster.Pushes.WaitFor("everyone", nameof(IAnnouncementClient.AnnouncementPublished), p => p.Arg<Announcement>().Id == retried.Id);
        await announcements.Withdraw(supervisor, retried.Id);
    }

    [Fact]
    public async Task AnOfflineMessageWhoseAnswerWasLostIsKeptOnceOnRetry()
    {
        var queue = Floor.Queue();
        var inbox = Grains.GetGrain<IOfflineMessagesGrain>(queue);
        Faults.OfflineMessageWrite(queue, FaultAt.AfterApplied);

        await FailsByTheFault(() => inbox.Leave("Ann", "ann@example.com", "Please call me back about order 1234"));
        var retried = await inbox.Leave("Ann", "ann@example.com", "Please call me back about order 1234");
        var later = await inbox.Leave("Ann", "ann@example.com", "Also, the parcel was damaged");

        Assert.Equal([later!.Id, retried!.Id], (await inbox.GetAll()).Select(m => m.Id));
    }

    [Fact]
    public async Task ACannedResponseWhoseAnswerWasLostIsCreatedOnceOnRetry()
    {
        var queue = Floor.Queue();
        var supervisor = new Caller(Roles.Supervisor, "editor", "Editor");
        var canned = Grains.GetGrain<ICannedResponsesGrain>(queue);
        Faults.StateWrite(canned.GetGrainId().ToString(), FaultAt.AfterApplied);

        await FailsByTheFault(() => canned.Save(supervisor, new CannedResponseRequest(null, "refund", "Your refund is on its way.")));
        var retried = await canned.Save(supervisor, new CannedResponseRequest(null, "refund", "Your refund is on its way."));

        Assert.Equal([retried.Id], (await canned.GetAll()).Select(r => r.Id));
    }
}
