using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Tests.Supervision;

/// <summary>What supervisors see of the floor, pushed live, and what waiting visitors see of the queue.</summary>
[Collection(SupervisionServerCollection.Name)]
public sealed class FloorTests(SupervisionServer fixture)
{
    private LiveChatTestServer Server => fixture.Server;

    private Floor Floor => fixture.Floor;

    private static QueueStats Queue(DashboardView dashboard, string name) => dashboard.Queues.Single(q => q.Name == name);

    [Fact]
    public async Task ANewWaitingVisitorReachesTheDashboardWithinASecondUnderLoad()
    {
        var busy = Floor.Queue(20);
        var dee = Floor.Agent(busy, max: 20);
        var dash = Floor.Queue();
        var (supervisor, dashboards) = await Server.ConnectSupervisor(fixture.Supervisor());
        await using var _ = supervisor;
        await using var agent = await Server.ConnectOnlineAgent(dee);
        var chats = new List<VisitorChat>();
        for (var i = 0; i < 10; i++)
            chats.Add(await Server.StartVisitorChat($"Busy {i}", busy));

        // Other conversations keep talking both ways while the new visitor arrives; bounded in count and time.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var load = Task.Run(async () =>
        {
            for (var n = 0; n < 1000 && !stop.IsCancellationRequested; n++)
            {
                foreach (var chat in chats)
                {
                    await chat.Send($"v{n}", $"question {n}");
                    await agent.InvokeAsync<MessageAck>("SendMessage", chat.Id, $"a{n}", $"answer {n}");
                }
            }
        });
        await Task.Delay(500);

        var session = await Server.OpenVisitorSession("Wanda");
        await using var visitor = await Server.ConnectVisitor(session);
        var clock = Stopwatch.StartNew();
        var waiting = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(dash)).WaitAsync(Clients.Timeout);
        await dashboards.Next(d => Queue(d, dash).Waiting == 1);
        var lag = clock.Elapsed;
        await stop.CancelAsync();
        await load;

        Assert.Equal(ConversationStatus.Queued, waiting.Status);
        Assert.True(lag < TimeSpan.FromSeconds(1), $"the dashboard showed the new visitor after {lag.TotalMilliseconds:F0} ms");
        Assert.Equal(10, (await supervisor.InvokeAsync<DashboardView>("GetDashboard")).Agents.Single(a => a.AgentId == dee).ActiveConversations);

        await visitor.InvokeAsync<ConversationView>("CloseConversation", waiting.ConversationId).WaitAsync(Clients.Timeout);
        await dashboards.Next(d => Queue(d, dash).Waiting == 0);
        foreach (var chat in chats)
        {
            await chat.Hub.InvokeAsync<ConversationView>("CloseConversation", chat.Id).WaitAsync(Clients.Timeout);
            await chat.DisposeAsync();
        }
    }

    [Fact]
    public async Task DashboardPushesStayAFewASecondWhile200ConversationsChange()
    {
        var many = Floor.Queue(100, 100);
        var (moId, maxId) = (Floor.Agent(many, max: 100), Floor.Agent(many, max: 100));
        var token = await Server.SignIn(fixture.Supervisor());
        await using var supervisor = Server.Hub("/hubs/supervisor", token.AccessToken);
        var pushes = new ConcurrentQueue<DashboardView>();
        supervisor.On<DashboardView>("DashboardUpdated", pushes.Enqueue);
        await supervisor.StartAsync().WaitAsync(Clients.Timeout);
        await using var mo = await Server.ConnectOnlineAgent(moId);
        await using var max = await Server.ConnectOnlineAgent(maxId);

        // 200 visitors start, are assigned, and close: every one changes the queue's and an agent's numbers twice.
        var chats = new ConcurrentBag<VisitorChat>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (i, _) =>
            chats.Add(await Server.StartVisitorChat($"Many {i}", many)));
        Assert.All(chats, c => Assert.Equal(ConversationStatus.Active, c.View.Status));
        await Parallel.ForEachAsync(chats, new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (chat, _) =>
        {
            await chat.Hub.InvokeAsync<ConversationView>("CloseConversation", chat.Id);
            await chat.DisposeAsync();
        });
        await Eventually.True(() => Task.FromResult(pushes.LastOrDefault() is { } last
            && last.Agents.Where(a => a.AgentId == moId || a.AgentId == maxId).All(a => a.ActiveConversations == 0)), "a push showing both agents free again");

        var times = pushes.Select(p => p.At).Order().ToList();
        Assert.Contains(pushes, p => p.Agents.Where(a => a.AgentId == moId || a.AgentId == maxId).Sum(a => a.ActiveConversations) >= 20);
        // The interval is 250 ms: any second holds at most five pushes, however many changes it saw.
        var busiest = times.Max(t => times.Count(u => u >= t && u < t.AddSeconds(1)));
        Assert.True(busiest <= 5, $"{busiest} dashboard pushes within one second");
        Assert.True(times.Count >= 2, $"only {times.Count} pushes for 400 changes");
    }

    [Fact]
    public async Task QueuePositionsOfFiveWaitingVisitorsCountDownAsTheAgentFreesUp()
    {
        var positions = Floor.Queue(1);
        var pat = Floor.Agent(positions, max: 1);
        var token = await Server.SignIn(pat);
        await using var agent = Server.Hub("/hubs/agent", token.AccessToken);
        await agent.StartAsync().WaitAsync(Clients.Timeout);
        var visitors = new List<VisitorChat>();
        for (var i = 1; i <= 5; i++)
        {
            var chat = await Server.StartVisitorChat($"Fifth {i}", positions);
            Assert.Equal((ConversationStatus.Queued, i), (chat.View.Status, chat.View.QueuePosition));
            visitors.Add(chat);
        }

        // The agent (limit 1) comes online, then closes each chat in turn: the head is assigned, everyone behind moves up one.
        await agent.InvokeAsync<AgentView>("SetStatus", "Online").WaitAsync(Clients.Timeout);
        for (var head = 0; head < 5; head++)
        {
            await visitors[head].Updates.Next(v => v.Status == ConversationStatus.Active && v.AgentId == pat);
            for (var k = head + 1; k < 5; k++)
                await visitors[k].Updates.Next(v => v.QueuePosition == k - head);
            await agent.InvokeAsync<ConversationView>("CloseConversation", visitors[head].Id).WaitAsync(Clients.Timeout);
        }

        for (var k = 0; k < 5; k++)
        {
            var shown = visitors[k].Updates.All.Where(v => v.Status == ConversationStatus.Queued).Select(v => v.QueuePosition!.Value).ToList();
            var changes = shown.Where((p, i) => i == 0 || p != shown[i - 1]).ToList();
            Assert.Equal(Enumerable.Range(1, k + 1).Reverse(), changes);
        }
        // With assignments to go by, the last visitor was given an estimate of the wait.
        Assert.Contains(visitors[4].Updates.All, v => v.Status == ConversationStatus.Queued && v.EstimatedWaitSeconds > 0);
        foreach (var visitor in visitors)
            await visitor.DisposeAsync();
    }

    [Fact]
    public async Task ASupervisorChangesAnAgentsLimitAndStatusLive()
    {
        var capacity = Floor.Queue(1);
        var cap = Floor.Agent(capacity, max: 1);
        var (supervisor, dashboards) = await Server.ConnectSupervisor(fixture.Supervisor());
        await using var _ = supervisor;
        await using var agent = await Server.ConnectOnlineAgent(cap);
        var agentUpdates = agent.Record<AgentView>("AgentUpdated");
        await using var first = await Server.StartVisitorChat("Una", capacity);
        await using var second = await Server.StartVisitorChat("Dos", capacity);
        Assert.Equal((ConversationStatus.Active, ConversationStatus.Queued), (first.View.Status, second.View.Status));

        var raised = await supervisor.InvokeAsync<AgentView>("SetAgentCapacity", cap, 2).WaitAsync(Clients.Timeout);
        Assert.Equal(2, raised.MaxConversations);
        await second.Updates.Next(v => v.Status == ConversationStatus.Active && v.AgentId == cap);
        // The agent sees the new limit (the second chat then arrives as an assignment).
        Assert.Equal(Floor.DisplayName(cap), (await agentUpdates.Next(a => a.MaxConversations == 2)).DisplayName);

        var tooMany = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<AgentView>("SetAgentCapacity", cap, 500).WaitAsync(Clients.Timeout));
        Assert.Contains("from 0 to 100", tooMany.Message);
        var nobody = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<AgentView>("SetAgentStatus", "nobody", "Online").WaitAsync(Clients.Timeout));
        Assert.Contains("unknown agent", nobody.Message);

        // Sent away by the supervisor: the agent hears it and both chats go back to the queue.
        await supervisor.InvokeAsync<AgentView>("SetAgentStatus", cap, "Away").WaitAsync(Clients.Timeout);
        Assert.Equal(0, (await agentUpdates.Next(a => a.Status == AgentStatus.Away)).ActiveConversations);
        await first.Updates.Next(v => v.Status == ConversationStatus.Queued);
        await second.Updates.Next(v => v.Status == ConversationStatus.Queued);
        var dashboard = await dashboards.Next(d => Queue(d, capacity) is { Waiting: 2, AgentsAway: 1 });
        Assert.Equal(AgentStatus.Away, dashboard.Agents.Single(a => a.AgentId == cap).Status);

        await supervisor.InvokeAsync<AgentView>("SetAgentCapacity", cap, (int?)null).WaitAsync(Clients.Timeout);
        await supervisor.InvokeAsync<AgentView>("SetAgentStatus", cap, "Online").WaitAsync(Clients.Timeout);
        await first.Updates.Next(v => v.Status == ConversationStatus.Active);
        Assert.Single(await agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout));
        await first.Hub.InvokeAsync<ConversationView>("CloseConversation", first.Id).WaitAsync(Clients.Timeout);
        await second.Hub.InvokeAsync<ConversationView>("CloseConversation", second.Id).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task FirstResponseIsStoredAndSlowAnswersShowAsSlaBreaches()
    {
        var sla = Floor.Queue(2);
        var sly = Floor.Agent(sla, max: 2);
        var (supervisor, dashboards) = await Server.ConnectSupervisor(fixture.Supervisor());
        await using var _ = supervisor;
        var token = await Server.SignIn(sly);
        await using var agent = Server.Hub("/hubs/agent", token.AccessToken);
        await agent.StartAsync().WaitAsync(Clients.Timeout);

        // The SLAs are one second: a visitor waiting longer is a breach, so is an agent slower to answer.
        await using var visitor = await Server.StartVisitorChat("Slow", sla);
        var waitBreach = await dashboards.Next(d => Queue(d, sla).WaitingPastSla == 1);
        Assert.Equal(1, waitBreach.SlaBreaches);
        await agent.InvokeAsync<AgentView>("SetStatus", "Online").WaitAsync(Clients.Timeout);
        await visitor.Updates.Next(v => v.Status == ConversationStatus.Active);
        var answerBreach = await dashboards.Next(d => Queue(d, sla).FirstResponsePastSla == 1);
        Assert.Equal((0, 1), (Queue(answerBreach, sla).Waiting, Queue(answerBreach, sla).AwaitingFirstResponse));

        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "sorry for the wait").WaitAsync(Clients.Timeout);
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a2", "how can I help?").WaitAsync(Clients.Timeout);
        var conversation = (await agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout)).Single(c => c.ConversationId == visitor.Id);
        Assert.InRange(conversation.FirstResponseSeconds!.Value, 1, 10);

        var answered = await dashboards.Next(d => Queue(d, sla) is { AwaitingFirstResponse: 0, FirstResponsePastSla: 0, AverageFirstResponseSeconds: not null });
        var stats = Queue(answered, sla);
        Assert.InRange(stats.AverageWaitSeconds!.Value, 1, 30);
        Assert.InRange(stats.AverageFirstResponseSeconds!.Value, 1, 10);
        Assert.InRange(answered.Agents.Single(a => a.AgentId == sly).AverageFirstResponseSeconds!.Value, 1, 10);
        Assert.Equal(0, stats.SlaBreaches);
        await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
    }
}
