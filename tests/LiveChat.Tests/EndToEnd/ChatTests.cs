namespace LiveChat.Tests.EndToEnd;

/// <summary>A visitor and an agent talk through a real node with the real SignalR client. The agent "ada" serves the default queue alone.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class ChatTests(EmbeddedServer fixture) : IAsyncLifetime
{
    private LiveChatTestServer Server => fixture.Server;
    private HubConnection _agent = null!;
    private Events<ConversationView> _assigned = null!;
    private Events<ChatMessage> _agentMessages = null!;

    public async Task InitializeAsync()
    {
        _agent = Server.Hub("/hubs/agent", (await Server.SignIn("ada")).AccessToken);
        _assigned = _agent.Record<ConversationView>("ConversationAssigned");
        _agentMessages = _agent.Record<ChatMessage>("MessageReceived");
        await _agent.StartAsync().WaitAsync(Clients.Timeout);
        await _agent.InvokeAsync<AgentView>("SetStatus", "Online").WaitAsync(Clients.Timeout);
    }

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task VisitorAndAgentExchangeMessagesBothWaysInOrder()
    {
        var session = await Server.OpenVisitorSession("Vera");
        await using var visitor = Server.Hub("/hubs/visitor", session.AccessToken);
        var visitorMessages = visitor.Record<ChatMessage>("MessageReceived");
        await visitor.StartAsync().WaitAsync(Clients.Timeout);

        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(Text: "my order is late")).WaitAsync(Clients.Timeout);
        Assert.Equal(ConversationStatus.Active, chat.Status);
        Assert.Equal(("ada", "Ada"), (chat.AgentId, chat.AgentName));
        var assigned = await _assigned.Next(c => c.ConversationId == chat.ConversationId);
        Assert.Equal("Vera", assigned.VisitorName);

        for (var i = 1; i <= 5; i++)
        {
            await visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, $"v{i}", $"visitor {i}").WaitAsync(Clients.Timeout);
            await _agent.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, $"a{i}", $"agent {i}").WaitAsync(Clients.Timeout);
        }

        var expected = Enumerable.Range(1, 5).SelectMany(i => new[] { $"visitor {i}", $"agent {i}" }).ToList();
        var atAgent = await Collect(_agentMessages, chat.ConversationId, "agent 5");
        var atVisitor = await Collect(visitorMessages, chat.ConversationId, "agent 5");
        Assert.Equal(expected, atAgent.Where(m => m.SenderRole != Roles.System && m.Text != "my order is late").Select(m => m.Text));
        Assert.Equal(expected, atVisitor.Where(m => m.SenderRole != Roles.System && m.Text != "my order is late").Select(m => m.Text));
        Assert.Equal(atVisitor.Select(m => m.Seq).Order(), atVisitor.Select(m => m.Seq));
        Assert.Equal("Vera", atAgent.First(m => m.Text == "visitor 1").SenderName);
        Assert.Equal("Ada", atVisitor.First(m => m.Text == "agent 1").SenderName);

        var history = await visitor.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 100).WaitAsync(Clients.Timeout);
        Assert.Equal("my order is late", history[0].Text);
        Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(m => m.Seq));
        await visitor.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task TypingAndReadReceiptsReachTheOtherSide()
    {
        var session = await Server.OpenVisitorSession("Tom");
        await using var visitor = Server.Hub("/hubs/visitor", session.AccessToken);
        var receipts = visitor.Record<ReadReceipt>("ReadReceipt");
        var typingAtVisitor = visitor.Record<TypingIndicator>("TypingChanged");
        await visitor.StartAsync().WaitAsync(Clients.Timeout);
        var typingAtAgent = _agent.Record<TypingIndicator>("TypingChanged");
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest()).WaitAsync(Clients.Timeout);

        await visitor.InvokeAsync("SetTyping", chat.ConversationId, true).WaitAsync(Clients.Timeout);
        var typing = await typingAtAgent.Next(t => t.ConversationId == chat.ConversationId);
        Assert.Equal((Roles.Visitor, "Tom", true), (typing.SenderRole, typing.SenderName, typing.IsTyping));

        var ack = await visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "t1", "hello?").WaitAsync(Clients.Timeout);
        await _agent.InvokeAsync("SetTyping", chat.ConversationId, true).WaitAsync(Clients.Timeout);
        Assert.Equal(Roles.Agent, (await typingAtVisitor.Next(t => t.ConversationId == chat.ConversationId)).SenderRole);
        await _agent.InvokeAsync("MarkRead", chat.ConversationId, ack.Seq).WaitAsync(Clients.Timeout);
        var receipt = await receipts.Next(r => r.ConversationId == chat.ConversationId);
        Assert.Equal((Roles.Agent, ack.Seq), (receipt.ReaderRole, receipt.Seq));
        await visitor.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task ResumeAfterADroppedConnectionReturnsExactlyTheMissedMessages()
    {
        var session = await Server.OpenVisitorSession("Rita");
        var visitor = Server.Hub("/hubs/visitor", session.AccessToken);
        var seen = visitor.Record<ChatMessage>("MessageReceived");
        await visitor.StartAsync().WaitAsync(Clients.Timeout);
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(Text: "hi")).WaitAsync(Clients.Timeout);
        await _agent.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "before", "before the drop").WaitAsync(Clients.Timeout);
        await seen.Next(m => m.Text == "before the drop");
        var lastSeq = seen.All.Max(m => m.Seq);

        await visitor.DisposeAsync();
        for (var i = 1; i <= 5; i++)
            await _agent.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, $"missed{i}", $"missed {i}").WaitAsync(Clients.Timeout);

        // A reload: the stored token resumes the same visitor, who fetches what came after the last seq seen.
        var resumed = await Server.OpenVisitorSession(visitorToken: session.AccessToken);
        Assert.Equal(session.VisitorId, resumed.VisitorId);
        await using var again = await Server.ConnectVisitor(resumed);
        var mine = await again.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        Assert.Equal(chat.ConversationId, mine.Single().ConversationId);
        var missed = await again.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, lastSeq, 100).WaitAsync(Clients.Timeout);

        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"missed {i}"), missed.Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => lastSeq + i), missed.Select(m => m.Seq));
        await again.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task ResentMessageIsStoredOnceAndAnsweredWithTheFirstAck()
    {
        var session = await Server.OpenVisitorSession("Ian");
        await using var visitor = await Server.ConnectVisitor(session);
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest()).WaitAsync(Clients.Timeout);

        var first = await visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "same-id", "only once").WaitAsync(Clients.Timeout);
        var retry = await visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "same-id", "only once").WaitAsync(Clients.Timeout);

        Assert.False(first.Duplicate);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Seq, retry.Seq);
        var history = await visitor.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 100).WaitAsync(Clients.Timeout);
        Assert.Single(history, m => m.Text == "only once");
        await visitor.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task ClosingFreesTheAgentsSlotAndTheVisitorCanRate()
    {
        var session = await Server.OpenVisitorSession("Cleo");
        await using var visitor = await Server.ConnectVisitor(session);
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest()).WaitAsync(Clients.Timeout);
        var mine = await _agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        Assert.Contains(mine, c => c.ConversationId == chat.ConversationId);

        var closed = await _agent.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
        await visitor.InvokeAsync("RateConversation", chat.ConversationId, 5, "thanks!").WaitAsync(Clients.Timeout);

        Assert.Equal(ConversationStatus.Closed, closed.Status);
        mine = await _agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        Assert.DoesNotContain(mine, c => c.ConversationId == chat.ConversationId);
        var rated = (await visitor.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout)).Single();
        Assert.Equal((5, "thanks!"), (rated.Rating!.Score, rated.Rating.Comment));
    }

    [Fact]
    public async Task EveryOpenTabOfTheVisitorAndTheAgentGetsEachMessageAndAClosedTabStopsNoOther()
    {
        var session = await Server.OpenVisitorSession("Tabby");
        await using var firstTab = await Server.ConnectVisitor(session);
        var firstTabMessages = firstTab.Record<ChatMessage>("MessageReceived");
        var secondTab = await Server.ConnectVisitor(session);
        var secondTabMessages = secondTab.Record<ChatMessage>("MessageReceived");
        await using var agentSecondTab = Server.Hub("/hubs/agent", (await Server.SignIn("ada")).AccessToken);
        var agentSecondTabMessages = agentSecondTab.Record<ChatMessage>("MessageReceived");
        await agentSecondTab.StartAsync().WaitAsync(Clients.Timeout);
        await using var bystander = await Server.ConnectVisitor(await Server.OpenVisitorSession("Bystander"));
        var bystanderMessages = bystander.Record<ChatMessage>("MessageReceived");

        var chat = await firstTab.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest()).WaitAsync(Clients.Timeout);
        await secondTab.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "tab2", "from the second tab").WaitAsync(Clients.Timeout);
        await _agent.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "desk1", "from the agent's first tab").WaitAsync(Clients.Timeout);
        foreach (var (events, text) in new[]
                 {
                     (firstTabMessages, "from the agent's first tab"), (secondTabMessages, "from the agent's first tab"),
                     (_agentMessages, "from the second tab"), (agentSecondTabMessages, "from the agent's first tab"),
                 })
            await events.Next(m => m.ConversationId == chat.ConversationId && m.Text == text);

        // Closing one tab on each side leaves the other tabs receiving.
        await secondTab.DisposeAsync();
        await agentSecondTab.StopAsync().WaitAsync(Clients.Timeout);
        await _agent.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "desk2", "after the tabs closed").WaitAsync(Clients.Timeout);
        await firstTab.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "tab1", "still here").WaitAsync(Clients.Timeout);
        await firstTabMessages.Next(m => m.ConversationId == chat.ConversationId && m.Text == "after the tabs closed");
        await _agentMessages.Next(m => m.ConversationId == chat.ConversationId && m.Text == "still here");

        Assert.Equal(["from the agent's first tab"], secondTabMessages.All.Where(m => m.SenderRole == Roles.Agent).Select(m => m.Text));
        Assert.DoesNotContain(agentSecondTabMessages.All, m => m.Text is "after the tabs closed" or "still here");
        Assert.DoesNotContain(bystanderMessages.All, m => m.ConversationId == chat.ConversationId);
        await firstTab.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    private static async Task<List<ChatMessage>> Collect(Events<ChatMessage> events, string conversationId, string lastText)
    {
        await events.Next(m => m.ConversationId == conversationId && m.Text == lastText);
        return events.All.Where(m => m.ConversationId == conversationId).ToList();
    }
}
