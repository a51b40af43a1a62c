using System.Diagnostics.Metrics;
using LiveChat.Server.Metrics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Tests.Supervision;

/// <summary>Canned responses, the feedback inbox, announcements and the LiveChat meter.</summary>
[Collection(SupervisionServerCollection.Name)]
public sealed class SupervisorToolsTests(SupervisionServer fixture)
{
    private LiveChatTestServer Server => fixture.Server;

    private Floor Floor => fixture.Floor;

    [Fact]
    public async Task SupervisorsManageCannedResponsesAndTheQueuesAgentsReadThem()
    {
        var queue = Floor.Queue(2);
        var elsewhere = Floor.Queue();
        var (supervisor, _) = await Server.ConnectSupervisor(fixture.Supervisor());
        await using var __ = supervisor;
        await using var agent = await Server.ConnectOnlineAgent(Floor.Agent(queue, max: 2));

        var hello = await supervisor.InvokeAsync<CannedResponse>("SaveCannedResponse", queue, new CannedResponseRequest(null, "hello", "Hello! How can I help?")).WaitAsync(Clients.Timeout);
        await supervisor.InvokeAsync<CannedResponse>("SaveCannedResponse", queue, new CannedResponseRequest(null, "bye", "Thanks for chatting.")).WaitAsync(Clients.Timeout);
        var duplicate = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<CannedResponse>("SaveCannedResponse", queue, new CannedResponseRequest(null, "HELLO", "again")).WaitAsync(Clients.Timeout));
        Assert.Contains("already has a canned response 'HELLO'", duplicate.Message);
        var spaced = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<CannedResponse>("SaveCannedResponse", queue, new CannedResponseRequest(null, "two words", "x")).WaitAsync(Clients.Timeout));
        Assert.Contains("without spaces", spaced.Message);

        var edited = await supervisor.InvokeAsync<CannedResponse>("SaveCannedResponse", queue, new CannedResponseRequest(hello.Id, "hello", "Hi there! What can I do for you?")).WaitAsync(Clients.Timeout);
        Assert.Equal(hello.Id, edited.Id);
        var atAgent = await agent.InvokeAsync<List<CannedResponse>>("GetCannedResponses", (string?)null).WaitAsync(Clients.Timeout);
        Assert.Equal([("bye", "Thanks for chatting."), ("hello", "Hi there! What can I do for you?")], atAgent.Select(r => (r.Shortcut, r.Text)));
        var notServed = await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<List<CannedResponse>>("GetCannedResponses", elsewhere).WaitAsync(Clients.Timeout));
        Assert.Contains("do not serve", notServed.Message);

        await supervisor.InvokeAsync("DeleteCannedResponse", queue, hello.Id).WaitAsync(Clients.Timeout);
        Assert.Equal(["bye"], (await agent.InvokeAsync<List<CannedResponse>>("GetCannedResponses", queue).WaitAsync(Clients.Timeout)).Select(r => r.Shortcut));
        var gone = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync("DeleteCannedResponse", queue, hello.Id).WaitAsync(Clients.Timeout));
        Assert.Contains("unknown canned response", gone.Message);
    }

    [Fact]
    public async Task FeedbackIsListedNewestFirstFilteredAndMarkedReviewed()
    {
        var queue = Floor.Queue(5, 5);
        var sam = fixture.Supervisor();
        var (supervisor, dashboards) = await Server.ConnectSupervisor(sam);
        await using var __ = supervisor;
        await using var fay = await Server.ConnectOnlineAgent(Floor.Agent(queue, max: 5));
        await using var fox = await Server.ConnectOnlineAgent(Floor.Agent(queue, max: 5));

        // Four rated chats, alternating between the two agents (least loaded first), scores 5, 2, 4, 2.
        var rated = new List<(string Id, string Agent, int Score)>();
        foreach (var (score, i) in new[] { 5, 2, 4, 2 }.Select((s, i) => (s, i)))
        {
            await using var visitor = await Server.StartVisitorChat($"Rater {i}", queue);
            await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
            await visitor.Hub.InvokeAsync("RateConversation", visitor.Id, score, $"comment {i}").WaitAsync(Clients.Timeout);
            rated.Add((visitor.Id, visitor.View.AgentId!, score));
        }

        var all = await supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: queue)).WaitAsync(Clients.Timeout);
        Assert.Equal(rated.Select(r => r.Id).Reverse(), all.Items.Select(f => f.ConversationId));
        Assert.Equal("comment 3", all.Items[0].Comment);
        var twos = await supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: queue, Score: 2)).WaitAsync(Clients.Timeout);
        Assert.Equal(rated.Where(r => r.Score == 2).Select(r => r.Id).Reverse(), twos.Items.Select(f => f.ConversationId));
        var byAgent = await supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(AgentId: rated[0].Agent)).WaitAsync(Clients.Timeout);
        Assert.Equal(rated.Where(r => r.Agent == rated[0].Agent).Select(r => r.Id).Reverse(), byAgent.Items.Select(f => f.ConversationId));

        // Pages: two at a time, the second continues where the first stopped.
        var page1 = await supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: queue, Limit: 2)).WaitAsync(Clients.Timeout);
        var page2 = await supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: queue, Limit: 2, Before: page1.NextBefore)).WaitAsync(Clients.Timeout);
        Assert.Equal(all.Items.Select(f => f.ConversationId), page1.Items.Concat(page2.Items).Select(f => f.ConversationId));

        var reviewed = await supervisor.InvokeAsync<FeedbackEntry>("MarkFeedbackReviewed", rated[1].Id, true).WaitAsync(Clients.Timeout);
        Assert.Equal(sam, reviewed.ReviewedBy);
        var open = await supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: queue, Reviewed: false)).WaitAsync(Clients.Timeout);
        Assert.DoesNotContain(open.Items, f => f.ConversationId == rated[1].Id);
        Assert.Equal(3, open.Items.Count);

        var csat = await dashboards.Next(d => d.Queues.Single(q => q.Name == queue).Ratings == 4);
        Assert.Equal(3.25, csat.Queues.Single(q => q.Name == queue).CsatAverage);
        var badScore = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Score: 9)).WaitAsync(Clients.Timeout));
        Assert.Contains("score must be from 1 to 5", badScore.Message);
    }

    [Fact]
    public async Task AnAnnouncementReachesVisitorsConnectedBeforeAndAfterItAndCanBeWithdrawn()
    {
        var sam = fixture.Supervisor();
        var (supervisor, _) = await Server.ConnectSupervisor(sam);
        await using var __ = supervisor;
        var before = await Server.ConnectVisitor(await Server.OpenVisitorSession("Early"));
        await using var ___ = before;
        var publishedBefore = before.Record<Announcement>("AnnouncementPublished");
        var withdrawn = before.Record<string>("AnnouncementWithdrawn");

        var announcement = await supervisor.InvokeAsync<Announcement>("PublishAnnouncement",
            new AnnouncementRequest("Payments are down; we are on it.", "critical", 30)).WaitAsync(Clients.Timeout);
        Assert.Equal(("critical", sam), (announcement.Severity, announcement.PublishedBy));
        Assert.Equal("Payments are down; we are on it.", (await publishedBefore.Next(a => a.Id == announcement.Id)).Text);

        var late = Server.Hub("/hubs/visitor", (await Server.OpenVisitorSession("Late")).AccessToken);
        await using var ____ = late;
        var publishedLate = late.Record<Announcement>("AnnouncementPublished");
        await late.StartAsync().WaitAsync(Clients.Timeout);
        Assert.Equal(announcement, await publishedLate.Next(a => a.Id == announcement.Id));
        Assert.Contains(await supervisor.InvokeAsync<List<Announcement>>("GetAnnouncements").WaitAsync(Clients.Timeout), a => a.Id == announcement.Id);

        var badSeverity = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<Announcement>("PublishAnnouncement", new AnnouncementRequest("x", "panic")).WaitAsync(Clients.Timeout));
        Assert.Contains("unknown severity 'panic'", badSeverity.Message);

        await supervisor.InvokeAsync("WithdrawAnnouncement", announcement.Id).WaitAsync(Clients.Timeout);
        Assert.Equal(announcement.Id, await withdrawn.Next(id => id == announcement.Id));
        var afterWithdrawal = Server.Hub("/hubs/visitor", (await Server.OpenVisitorSession("After")).AccessToken);
        await using var _____ = afterWithdrawal;
        var none = afterWithdrawal.Record<Announcement>("AnnouncementPublished");
        await afterWithdrawal.StartAsync().WaitAsync(Clients.Timeout);
        // The last connection proves the hub answered after its connect; nothing was sent before it.
        await afterWithdrawal.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        Assert.DoesNotContain(none.All, a => a.Id == announcement.Id);
    }

    [Fact]
    public async Task TheLiveChatMeterCountsMessagesConnectionsWaitsAndFirstResponses()
    {
        var meter = Server.Services.GetRequiredService<LiveChatMetrics>().Meter;
        var totals = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
                l.EnableMeasurementEvents(instrument);
        };
        void Add(Instrument instrument, double value)
        {
            lock (totals)
                totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
        }
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => Add(i, v));
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => Add(i, v >= 0 ? 1 : 0));
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => Add(i, v));
        listener.Start();

        var queue = Floor.Queue(3);
        await using var agent = await Server.ConnectOnlineAgent(Floor.Agent(queue));
        await using (var visitor = await Server.StartVisitorChat("Metric", queue, text: "counted"))
        {
            await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "first answer").WaitAsync(Clients.Timeout);
            await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
        }
        listener.RecordObservableInstruments();

        double Total(string name) { lock (totals) return totals.GetValueOrDefault(name); }
        // The visitor's first message, the join, the answer and the close: four stored messages at least.
        Assert.True(Total("livechat.messages.sent") >= 4, $"messages sent: {Total("livechat.messages.sent")}");
        Assert.True(Total("livechat.queue.wait") >= 1, "no wait recorded");
        Assert.True(Total("livechat.conversation.first_response") >= 1, "no first response recorded");
        // The agent and the visitor connected (+2) and the visitor left (-1).
        Assert.True(Total("livechat.connections.active") >= 1, $"connections: {Total("livechat.connections.active")}");
    }
}
