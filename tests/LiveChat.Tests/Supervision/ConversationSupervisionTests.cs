using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Tests.Supervision;

/// <summary>Supervisors step into conversations: watch, whisper, take over; agents transfer and write notes.</summary>
[Collection(SupervisionServerCollection.Name)]
public sealed class ConversationSupervisionTests(SupervisionServer fixture)
{
    private LiveChatTestServer Server => fixture.Server;

    private Floor Floor => fixture.Floor;

    [Fact]
    public async Task AWhisperOrNoteNeverReachesTheVisitorByAnyPath()
    {
        var queue = Floor.Queue(3);
        var (supervisor, _) = await Server.ConnectSupervisor(fixture.Supervisor());
        await using var __ = supervisor;
        var watched = supervisor.Record<ChatMessage>("InternalMessageReceived");
        await using var agent = await Server.ConnectOnlineAgent(Floor.Agent(queue));
        var atAgent = agent.Record<ChatMessage>("InternalMessageReceived");
        await using var visitor = await Server.StartVisitorChat("Vic", queue, text: "hello");
        var typing = visitor.Hub.Record<TypingIndicator>("TypingChanged");
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "hi Vic").WaitAsync(Clients.Timeout);

        await supervisor.InvokeAsync<WatchedConversation>("WatchConversation", visitor.Id).WaitAsync(Clients.Timeout);
        var whisper = await supervisor.InvokeAsync<MessageAck>("Whisper", visitor.Id, "w1", "SECRET-WHISPER: offer the refund").WaitAsync(Clients.Timeout);
        var note = await agent.InvokeAsync<MessageAck>("AddNote", visitor.Id, "n1", "SECRET-NOTE: repeat customer").WaitAsync(Clients.Timeout);
        Assert.Equal((1L, 2L), (whisper.Seq, note.Seq));

        // The agent and the watching supervisor get both, marked by kind and numbered apart from the chat.
        Assert.Equal(MessageKinds.Whisper, (await atAgent.Next(m => m.Text.StartsWith("SECRET-WHISPER"))).Kind);
        Assert.Equal(MessageKinds.Note, (await atAgent.Next(m => m.Text.StartsWith("SECRET-NOTE"))).Kind);
        await watched.Next(m => m.Text.StartsWith("SECRET-NOTE"));
        var internalHistory = await agent.InvokeAsync<List<ChatMessage>>("GetInternalMessages", visitor.Id, 0L, 100).WaitAsync(Clients.Timeout);
        Assert.Equal([MessageKinds.Whisper, MessageKinds.Note], internalHistory.Select(m => m.Kind));

        // The chat goes on: the visitor's numbering has no gap where the whisper and note were written.
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a2", "done").WaitAsync(Clients.Timeout);
        await visitor.Messages.Next(m => m.Text == "done");
        var history = await visitor.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", visitor.Id, 0L, 500).WaitAsync(Clients.Timeout);
        Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(m => m.Seq));

        // A visitor reloading the page gets the same: nothing internal by push, history, conversation list or method.
        var reload = await Server.OpenVisitorSession(visitorToken: visitor.Session.AccessToken);
        await using var reloaded = await Server.ConnectVisitor(reload);
        var mine = await reloaded.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        var again = await reloaded.InvokeAsync<List<ChatMessage>>("GetMessages", visitor.Id, 0L, 500).WaitAsync(Clients.Timeout);
        Assert.Equal(history.Count, mine.Single(c => c.ConversationId == visitor.Id).LastSeq);
        Assert.Equal(history.Select(m => m.Text), again.Select(m => m.Text));
        await Assert.ThrowsAsync<HubException>(() => reloaded.InvokeAsync<List<ChatMessage>>("GetInternalMessages", visitor.Id, 0L, 100).WaitAsync(Clients.Timeout));
        await Assert.ThrowsAsync<HubException>(() => reloaded.InvokeAsync<MessageAck>("AddNote", visitor.Id, "x", "mine").WaitAsync(Clients.Timeout));

        var everything = visitor.Messages.All.Select(m => m.Text)
            .Concat(visitor.Updates.All.Select(u => u.ToString()))
            .Concat(typing.All.Select(t => t.ToString()))
            .Concat(history.Select(m => m.Text))
            .Concat(again.Select(m => m.Text));
        Assert.DoesNotContain(everything, text => text.Contains("SECRET"));
        Assert.All(history, m => Assert.Equal(MessageKinds.Message, m.Kind));
        await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task ASupervisorWatchesLiveThenTakesOverAndTheAgentIsFreed()
    {
        var queue = Floor.Queue(2);
        var tom = Floor.Agent(queue, max: 2);
        var sam = fixture.Supervisor();
        var (supervisor, _) = await Server.ConnectSupervisor(sam);
        await using var __ = supervisor;
        var live = supervisor.Record<ChatMessage>("MessageReceived");
        var liveTyping = supervisor.Record<TypingIndicator>("TypingChanged");
        var liveUpdates = supervisor.Record<ConversationView>("ConversationUpdated");
        await using var agent = await Server.ConnectOnlineAgent(tom);
        var agentUpdates = agent.Record<ConversationView>("ConversationUpdated");
        await using var visitor = await Server.StartVisitorChat("Tess", queue, text: "my parcel is lost");
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "let me look").WaitAsync(Clients.Timeout);

        var snapshot = await supervisor.InvokeAsync<WatchedConversation>("WatchConversation", visitor.Id).WaitAsync(Clients.Timeout);
        Assert.Equal(tom, snapshot.Conversation.AgentId);
        Assert.Contains(snapshot.Messages, m => m.Text == "my parcel is lost");
        Assert.Contains(snapshot.Messages, m => m.Text == "let me look");

        await visitor.Send("v1", "it was due monday");
        Assert.Equal(Roles.Visitor, (await live.Next(m => m.Text == "it was due monday")).SenderRole);
        await agent.InvokeAsync("SetTyping", visitor.Id, true).WaitAsync(Clients.Timeout);
        Assert.Equal(Roles.Agent, (await liveTyping.Next(t => t.ConversationId == visitor.Id)).SenderRole);
        // Watching is reading: the supervisor cannot write in a conversation that is not theirs.
        await using var supervisorAsAgent = Server.Hub("/hubs/agent", (await Server.SignIn(sam)).AccessToken);
        var assignedToSupervisor = supervisorAsAgent.Record<ConversationView>("ConversationAssigned");
        await supervisorAsAgent.StartAsync().WaitAsync(Clients.Timeout);
        var refused = await Assert.ThrowsAsync<HubException>(() => supervisorAsAgent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "s0", "hi").WaitAsync(Clients.Timeout));
        Assert.Contains("not your conversation", refused.Message);

        var taken = await supervisor.InvokeAsync<ConversationView>("TakeOver", visitor.Id).WaitAsync(Clients.Timeout);
        Assert.Equal((sam, ConversationStatus.Active), (taken.AgentId, taken.Status));
        // The agent is told and their slot is free; the visitor sees who took over; the supervisor gets the chat as an agent does.
        await agentUpdates.Next(v => v.ConversationId == visitor.Id && v.AgentId == sam);
        Assert.Empty(await agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout));
        Assert.Contains($"{Floor.DisplayName(sam)} took over the conversation from {Floor.DisplayName(tom)}", (await visitor.Messages.Next(m => m.SenderRole == Roles.System && m.Text.Contains("took over"))).Text);
        await assignedToSupervisor.Next(v => v.ConversationId == visitor.Id);
        await liveUpdates.Next(v => v.ConversationId == visitor.Id && v.AgentId == sam);
        var refusedAgent = await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a2", "still here").WaitAsync(Clients.Timeout));
        Assert.Contains("not your conversation", refusedAgent.Message);

        await supervisorAsAgent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "s1", "I am the supervisor, I will sort this out").WaitAsync(Clients.Timeout);
        Assert.Equal(Roles.Supervisor, (await visitor.Messages.Next(m => m.Text.StartsWith("I am the supervisor"))).SenderRole);
        await supervisor.InvokeAsync("UnwatchConversation", visitor.Id).WaitAsync(Clients.Timeout);
        await supervisorAsAgent.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task ASupervisorTakesAWaitingConversationOutOfTheQueue()
    {
        var queue = Floor.Queue();
        var sam = fixture.Supervisor();
        var (supervisor, _) = await Server.ConnectSupervisor(sam);
        await using var __ = supervisor;
        await using var visitor = await Server.StartVisitorChat("Quinn", queue);
        Assert.Equal(ConversationStatus.Queued, visitor.View.Status);

        var taken = await supervisor.InvokeAsync<ConversationView>("TakeOver", visitor.Id).WaitAsync(Clients.Timeout);
        Assert.Equal(sam, taken.AgentId);
        await visitor.Updates.Next(v => v.Status == ConversationStatus.Active && v.AgentName == Floor.DisplayName(sam));
        await Eventually.True(async () => (await supervisor.InvokeAsync<DashboardView>("GetDashboard")).Queues.Single(q => q.Name == queue).Waiting == 0, "the queue to be empty");

        await using var agentHub = Server.Hub("/hubs/agent", (await Server.SignIn(sam)).AccessToken);
        await agentHub.StartAsync().WaitAsync(Clients.Timeout);
        await agentHub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task AnAgentTransfersToAnotherAgentWithHistoryKeptAndTheVisitorTold()
    {
        var queue = Floor.Queue(2, 2);
        var (xiaId, xanId) = (Floor.Agent(queue, max: 2), Floor.Agent(queue, max: 2));
        await using var xia = await Server.ConnectOnlineAgent(xiaId);
        await using var xan = await Server.ConnectOnlineAgent(xanId);
        var assigned = new Dictionary<string, Events<ConversationView>> { [xiaId] = xia.Record<ConversationView>("ConversationAssigned"), [xanId] = xan.Record<ConversationView>("ConversationAssigned") };
        var updated = new Dictionary<string, Events<ConversationView>> { [xiaId] = xia.Record<ConversationView>("ConversationUpdated"), [xanId] = xan.Record<ConversationView>("ConversationUpdated") };
        await using var visitor = await Server.StartVisitorChat("Theo", queue, text: "billing question");
        var fromId = visitor.View.AgentId!;
        var (from, to, toId) = fromId == xiaId ? (xia, xan, xanId) : (xan, xia, xiaId);
        await from.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "passing you to billing").WaitAsync(Clients.Timeout);
        await from.InvokeAsync<MessageAck>("AddNote", visitor.Id, "n1", "asked twice already").WaitAsync(Clients.Timeout);

        var moved = await from.InvokeAsync<ConversationView>("TransferConversation", visitor.Id, new TransferRequest(ToAgentId: toId)).WaitAsync(Clients.Timeout);
        Assert.Equal(toId, moved.AgentId);
        var notice = await visitor.Messages.Next(m => m.SenderRole == Roles.System && m.Text.Contains("transferred"));
        Assert.Contains($"transferred the conversation to {Floor.DisplayName(toId)}", notice.Text);

        // The new agent reads the whole history and the notes; the old one no longer can.
        var history = await to.InvokeAsync<List<ChatMessage>>("GetMessages", visitor.Id, 0L, 100).WaitAsync(Clients.Timeout);
        Assert.Equal(["billing question", "passing you to billing"], history.Where(m => m.SenderRole != Roles.System).Select(m => m.Text));
        Assert.Equal("asked twice already", (await to.InvokeAsync<List<ChatMessage>>("GetInternalMessages", visitor.Id, 0L, 100).WaitAsync(Clients.Timeout)).Single().Text);
        await Assert.ThrowsAsync<HubException>(() => from.InvokeAsync<List<ChatMessage>>("GetMessages", visitor.Id, 0L, 100).WaitAsync(Clients.Timeout));
        await assigned[toId].Next(v => v.ConversationId == visitor.Id);
        await updated[fromId].Next(v => v.ConversationId == visitor.Id && v.AgentId == toId);
        await to.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
    }
}
