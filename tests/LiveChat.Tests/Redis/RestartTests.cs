namespace LiveChat.Tests.Redis;

/// <summary>With Redis configured, a node and Redis itself can restart and every conversation, message and rating is still there.</summary>
public sealed class RestartTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ConversationsHistoryAndRatingsSurviveARestartOfTheNodeAndOfRedis()
    {
        var settings = Settings();

        // Before: one chat closed and rated, one active with its agent, one waiting in a queue nobody serves yet.
        string visitorToken, closedId, activeId, waitingId;
        List<ChatMessage> activeHistory;
        MessageAck lastAck;
        await using (var node = await LiveChatTestServer.StartAsync(settings))
        {
            await using var agent = await node.ConnectOnlineAgent("ada");
            var session = await node.OpenVisitorSession("Petra");
            visitorToken = session.AccessToken;
            await using var visitor = await node.ConnectVisitor(session);

            var closed = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(Text: "first visit")).WaitAsync(Clients.Timeout);
            await agent.InvokeAsync<MessageAck>("SendMessage", closed.ConversationId, "a1", "glad to help").WaitAsync(Clients.Timeout);
            await visitor.InvokeAsync<ConversationView>("CloseConversation", closed.ConversationId).WaitAsync(Clients.Timeout);
            await visitor.InvokeAsync("RateConversation", closed.ConversationId, 4, "fast and kind").WaitAsync(Clients.Timeout);

            var active = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(Text: "second visit")).WaitAsync(Clients.Timeout);
            for (var i = 1; i <= 10; i++)
                lastAck = await visitor.InvokeAsync<MessageAck>("SendMessage", active.ConversationId, $"v{i}", $"line {i}").WaitAsync(Clients.Timeout);
            lastAck = await agent.InvokeAsync<MessageAck>("SendMessage", active.ConversationId, "a-last", "on it").WaitAsync(Clients.Timeout);
            activeHistory = await visitor.InvokeAsync<List<ChatMessage>>("GetMessages", active.ConversationId, 0L, 500).WaitAsync(Clients.Timeout);

            var waiting = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("sales", Text: "pricing?")).WaitAsync(Clients.Timeout);
            (closedId, activeId, waitingId) = (closed.ConversationId, active.ConversationId, waiting.ConversationId);
        }

        await redis.StopAsync();
        await redis.StartAsync();

        await using (var node = await LiveChatTestServer.StartAsync(settings))
        {
            var session = await node.OpenVisitorSession(visitorToken: visitorToken);
            await using var visitor = await node.ConnectVisitor(session);
            var mine = await visitor.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);

            var closed = mine.Single(c => c.ConversationId == closedId);
            Assert.Equal(ConversationStatus.Closed, closed.Status);
            Assert.Equal((4, "fast and kind"), (closed.Rating!.Score, closed.Rating.Comment));
            var active = mine.Single(c => c.ConversationId == activeId);
            Assert.Equal((ConversationStatus.Active, "ada"), (active.Status, active.AgentId));
            Assert.Equal(lastAck.Seq, active.LastSeq);
            var waiting = mine.Single(c => c.ConversationId == waitingId);
            Assert.Equal(ConversationStatus.Queued, waiting.Status);

            var history = await visitor.InvokeAsync<List<ChatMessage>>("GetMessages", activeId, 0L, 500).WaitAsync(Clients.Timeout);
            Assert.Equal(activeHistory.Select(m => (m.Seq, m.Text, m.SenderRole)), history.Select(m => (m.Seq, m.Text, m.SenderRole)));
            var closedHistory = await visitor.InvokeAsync<List<ChatMessage>>("GetMessages", closedId, 0L, 500).WaitAsync(Clients.Timeout);
            Assert.Contains(closedHistory, m => m.Text == "glad to help");

            // An old send retried after the restart is recognised; a new one continues the numbering.
            var retried = await visitor.InvokeAsync<MessageAck>("SendMessage", activeId, "v3", "line 3").WaitAsync(Clients.Timeout);
            Assert.Equal((true, history.Single(m => m.ClientMessageId == "v3").Seq), (retried.Duplicate, retried.Seq));
            var next = await visitor.InvokeAsync<MessageAck>("SendMessage", activeId, "after", "after the restart").WaitAsync(Clients.Timeout);
            Assert.Equal(lastAck.Seq + 1, next.Seq);

            // The agent reconnects and carries on in the same conversation.
            await using var agent = await node.ConnectOnlineAgent("ada");
            var theirs = await agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
            Assert.Contains(theirs, c => c.ConversationId == activeId);
            var reply = await agent.InvokeAsync<MessageAck>("SendMessage", activeId, "a-after", "still here").WaitAsync(Clients.Timeout);
            Assert.Equal(next.Seq + 1, reply.Seq);
        }
    }

    [Fact]
    public async Task FeedbackNotesCannedResponsesAndAnnouncementsSurviveARestart()
    {
        var settings = Settings();
        string conversationId;
        Announcement announcement;
        await using (var node = await LiveChatTestServer.StartAsync(settings))
        {
            await using var agent = await node.ConnectOnlineAgent("ben");
            var (supervisor, _) = await node.ConnectSupervisor("sue");
            await using var __ = supervisor;
            await using var visitor = await node.StartVisitorChat("Rhea", "sales", text: "refund please");
            conversationId = visitor.Id;
            await agent.InvokeAsync<MessageAck>("AddNote", conversationId, "n1", "refund approved by finance").WaitAsync(Clients.Timeout);
            await supervisor.InvokeAsync<MessageAck>("Whisper", conversationId, "w1", "check the order date").WaitAsync(Clients.Timeout);
            await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", conversationId).WaitAsync(Clients.Timeout);
            await visitor.Hub.InvokeAsync("RateConversation", conversationId, 2, "too slow").WaitAsync(Clients.Timeout);
            await supervisor.InvokeAsync<FeedbackEntry>("MarkFeedbackReviewed", conversationId, true).WaitAsync(Clients.Timeout);
            await supervisor.InvokeAsync<CannedResponse>("SaveCannedResponse", "sales", new CannedResponseRequest(null, "refund", "Your refund is on its way.")).WaitAsync(Clients.Timeout);
            announcement = await supervisor.InvokeAsync<Announcement>("PublishAnnouncement", new AnnouncementRequest("Slow replies today", "warning", 60)).WaitAsync(Clients.Timeout);
        }

        await redis.StopAsync();
        await redis.StartAsync();

        await using (var node = await LiveChatTestServer.StartAsync(settings))
        {
            var (supervisor, _) = await node.ConnectSupervisor("sue");
            await using var __ = supervisor;
            var feedback = await supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: "sales", Score: 2)).WaitAsync(Clients.Timeout);
            var entry = feedback.Items.Single(f => f.ConversationId == conversationId);
            Assert.Equal(("too slow", "ben", "sue"), (entry.Comment, entry.AgentId, entry.ReviewedBy));
            var dashboard = await supervisor.InvokeAsync<DashboardView>("GetDashboard").WaitAsync(Clients.Timeout);
            Assert.Equal((1, 2.0), (dashboard.Queues.Single(q => q.Name == "sales").Ratings, dashboard.Queues.Single(q => q.Name == "sales").CsatAverage));

            var internalMessages = await supervisor.InvokeAsync<List<ChatMessage>>("GetInternalMessages", conversationId, 0L, 10).WaitAsync(Clients.Timeout);
            Assert.Equal(["refund approved by finance", "check the order date"], internalMessages.Select(m => m.Text));
            var canned = await supervisor.InvokeAsync<List<CannedResponse>>("GetCannedResponses", "sales").WaitAsync(Clients.Timeout);
            Assert.Equal("Your refund is on its way.", canned.Single(c => c.Shortcut == "refund").Text);

            var visitor = node.Hub("/hubs/visitor", (await node.OpenVisitorSession("Newcomer")).AccessToken);
            await using var ___ = visitor;
            var announced = visitor.Record<Announcement>("AnnouncementPublished");
            await visitor.StartAsync().WaitAsync(Clients.Timeout);
            Assert.Equal(announcement, await announced.Next(a => a.Id == announcement.Id));
        }
    }

    [Fact]
    public async Task TheHealthCheckReportsRedis()
    {
        await using var node = await LiveChatTestServer.StartAsync(Settings());
        using var http = node.Http();
        var body = await (await http.GetAsync("/healthz")).Content.ReadAsStringAsync();
        Assert.Equal("Healthy", body);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Orleans:ServiceId"] = $"restart-{Guid.NewGuid():N}",
            ["Orleans:ClusterId"] = $"restart-{Guid.NewGuid():N}",
            ["LiveChat:Queues:0"] = "sales",
        };
        TestUsers.Add(settings, 0, "ada", max: 3, queues: "support");
        TestUsers.Add(settings, 1, "ben", max: 3, queues: "sales");
        TestUsers.Add(settings, 2, "sue", role: "supervisor", max: 3, queues: "support");
        return settings;
    }
}
