using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace LiveChat.Tests.Cluster;

/// <summary>Several nodes in one cluster over Redis, as separate processes: a node or Redis dying costs seconds, never a message.</summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            // Connections of a dead node lapse after three renewals.
            ["LiveChat:PresenceRenewSeconds"] = "2",
        };
        TestUsers.Add(settings, 0, "ana", max: 3);
        TestUsers.Add(settings, 1, "sam", role: "supervisor");
        return settings;
    }

    [Fact]
    public async Task AVisitorOnOneNodeAndAnAgentOnAnotherTalkWhileASupervisorOnAThirdSeesBoth()
    {
        await using var cluster = await LocalCluster.StartAsync(3, Settings());
        var (a, b, c) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);

        await using var agent = await b.ConnectOnlineAgent("ana");
        var atAgent = agent.Record<ChatMessage>("MessageReceived");
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        var (supervisor, _) = await c.ConnectSupervisor("sam");
        await using var _supervisor = supervisor;
        await using var visitor = await a.StartVisitorChat("Vera", "support", text: "hello from node 1");

        await assigned.Next(v => v.ConversationId == visitor.Id);
        var history = await agent.InvokeAsync<List<ChatMessage>>("GetMessages", visitor.Id, 0L, 50).WaitAsync(Clients.Timeout);
        Assert.Contains(history, m => m.SenderRole == Roles.Visitor && m.Text == "hello from node 1");
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a1", "hello from node 2").WaitAsync(Clients.Timeout);
        Assert.Equal(Roles.Agent, (await visitor.Messages.Next(m => m.Text == "hello from node 2")).SenderRole);

        // The supervisor on the third node sees the agent's load, the conversation so far, and what follows, live.
        await Eventually.True(async () => (await supervisor.InvokeAsync<DashboardView>("GetDashboard")).Agents.Single(x => x.AgentId == "ana")
            is { Status: AgentStatus.Online, ActiveConversations: 1 }, "the dashboard to show the agent online with one chat");
        var live = supervisor.Record<ChatMessage>("MessageReceived");
        var watched = await supervisor.InvokeAsync<WatchedConversation>("WatchConversation", visitor.Id).WaitAsync(Clients.Timeout);
        Assert.Equal(["hello from node 1", "hello from node 2"], watched.Messages.Where(m => m.SenderRole != Roles.System).Select(m => m.Text));
        await visitor.Send("v2", "thanks, node 2");
        await agent.InvokeAsync<MessageAck>("SendMessage", visitor.Id, "a2", "any time, node 1").WaitAsync(Clients.Timeout);
        Assert.Equal(Roles.Visitor, (await live.Next(m => m.Text == "thanks, node 2")).SenderRole);
        Assert.Equal(Roles.Agent, (await live.Next(m => m.Text == "any time, node 1")).SenderRole);
        Assert.Equal("thanks, node 2", (await atAgent.Next(m => m.SenderRole == Roles.Visitor && m.ClientMessageId == "v2")).Text);

        // An announcement from the third node reaches the visitor on the first and the agent on the second.
        var agentAnnouncements = agent.Record<Announcement>("AnnouncementPublished");
        var announcement = await supervisor.InvokeAsync<Announcement>("PublishAnnouncement", new AnnouncementRequest("Payments are down", "critical", 5))
            .WaitAsync(Clients.Timeout);
        Assert.Equal("Payments are down", (await visitor.Announcements.Next(a => a.Id == announcement.Id)).Text);
        Assert.Equal("Payments are down", (await agentAnnouncements.Next(a => a.Id == announcement.Id)).Text);
    }

    [Fact]
    public async Task KillingTheNodeThatHoldsTheConversationsLosesNoAcknowledgedMessageAndKeepsCapacitiesRight()
    {
        await using var cluster = await LocalCluster.StartAsync(3, Settings());
        var floor = await Floor.Open(cluster, visitorNodes: [0, 1, 2], agentNode: 1);
        await using var _ = floor;
        var victim = await cluster.NodeHosting<IConversationGrain>(floor.Conversations[0]);
        output.WriteLine($"killing {victim}, which holds conversation {floor.Conversations[0]}");

        var load = floor.Converse(TimeSpan.FromSeconds(18));
        await Task.Delay(TimeSpan.FromSeconds(4));
        await cluster.Kill(victim);
        var sent = await load;

        await floor.AssertEveryAcknowledgedMessageOnceAndInOrder(sent, output);
        var slowest = sent.Max(s => s.Took);
        output.WriteLine($"{sent.Count} messages acknowledged; slowest {slowest.TotalSeconds:0.0} s; moves: {string.Join(", ", floor.Clients.SelectMany(c => c.Moves).Select(m => $"{(m.Back - m.Lost).TotalSeconds:0.0} s to {m.To}"))}");
        // Refused for no longer than the dead node takes to be evicted and its grains to come back on another node.
        Assert.True(slowest < TimeSpan.FromSeconds(15), $"a send took {slowest.TotalSeconds:0.0} s to be acknowledged");
        Assert.All(floor.Clients, c => Assert.Empty(c.Refusals));

        // Capacities: the agent still holds exactly the three chats, a fourth visitor waits, and a close lets them in.
        var me = await floor.Agent.Invoke<AgentView>("GetMe");
        Assert.Equal((AgentStatus.Online, 3), (me.Status, me.ActiveConversations));
        var alive = cluster.Nodes.First(n => n != victim);
        await using var fourth = await alive.StartVisitorChat("Fay", "support", text: "am I next?");
        Assert.Equal((ConversationStatus.Queued, 1), (fourth.View.Status, fourth.View.QueuePosition));
        await floor.Visitors[0].Invoke<ConversationView>("CloseConversation", floor.Conversations[0]);
        Assert.Equal("ana", (await fourth.Updates.Next(v => v.Status == ConversationStatus.Active)).AgentId);
    }

    [Fact]
    public async Task ANodeStoppedWithSigtermHandsItsClientsOverAtOnceWithNoFailedSend()
    {
        await using var cluster = await LocalCluster.StartAsync(3, Settings());
        var leaving = cluster.Nodes[2];
        var floor = await Floor.Open(cluster, visitorNodes: [2], agentNode: 2);
        await using var _ = floor;

        var load = floor.Converse(TimeSpan.FromSeconds(8));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var stopping = Stopwatch.StartNew();
        await cluster.Terminate(leaving);
        output.WriteLine($"{leaving} stopped in {stopping.Elapsed.TotalSeconds:0.0} s");
        var sent = await load;

        await floor.AssertEveryAcknowledgedMessageOnceAndInOrder(sent, output);
        Assert.All(floor.Clients, c => Assert.Empty(c.Refusals));
        Assert.All(floor.Clients, c =>
        {
            var move = Assert.Single(c.Moves);
            Assert.NotEqual(leaving, move.To);
            Assert.True(move.Back - move.Lost < TimeSpan.FromSeconds(3), $"the move took {(move.Back - move.Lost).TotalSeconds:0.0} s");
        });
        var slowest = sent.Max(s => s.Took);
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"a send took {slowest.TotalSeconds:0.0} s: the grains were not handed over");
        Assert.Equal((AgentStatus.Online, 1), await floor.Agent.Invoke<AgentView>("GetMe") is var me ? (me.Status, me.ActiveConversations) : default);
    }

    [Fact]
    public async Task NodesRideOutARedisRestartAndKeepEveryAcknowledgedMessage()
    {
        await using var cluster = await LocalCluster.StartAsync(2, Settings());
        var floor = await Floor.Open(cluster, visitorNodes: [0], agentNode: 1, pause: TimeSpan.FromMilliseconds(250));
        await using var _ = floor;

        var load = floor.Converse(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(3));
        // Killed, not shut down: with appendfsync always, whatever Redis acknowledged is on disk.
        await cluster.RestartRedis(kill: true);
        var sent = await load;

        await floor.AssertEveryAcknowledgedMessageOnceAndInOrder(sent, output);
        Assert.All(floor.Clients, c => Assert.Empty(c.Refusals));
        Assert.Contains(sent, s => s.At > TimeSpan.FromSeconds(7));
        // The same node processes, healthy again without a restart of their own.
        foreach (var node in cluster.Nodes)
        {
            using var http = node.Http();
            await Eventually.True(async () => (await http.GetAsync("/healthz")).IsSuccessStatusCode, $"{node} to be healthy");
        }
    }

    [Fact]
    public async Task AnAgentWhoseNodeDiesAndWhoNeverComesBackHasTheirChatPassedToAnotherAgent()
    {
        var settings = Settings();
        TestUsers.Add(settings, 2, "bob", max: 3);
        settings["LiveChat:AwayGraceSeconds"] = "3";
        await using var cluster = await LocalCluster.StartAsync(3, settings);
        // The hardest case: the node that dies holds the queue's grain as well as Ana's socket, so no call is left
        // that would bring either back by itself.
        await (await cluster.Grain<IQueueGrain>("support")).GetStats();
        var anasNode = await cluster.NodeHosting<IQueueGrain>("support");
        var (visitorNode, bobsNode) = cluster.Nodes.Where(n => n != anasNode).ToList() is var others ? (others[0], others[1]) : default;

        var ana = await anasNode.ConnectOnlineAgent("ana");
        var visitor = await ResumingClient.Visitor(cluster.Nodes, 0, await visitorNode.OpenVisitorSession("Olga"));
        await using var _visitor = visitor;
        var chat = await visitor.Invoke<ConversationView>("StartConversation", new StartConversationRequest("support", Text: "is anyone there?"));
        visitor.Follow(chat.ConversationId);
        Assert.Equal("ana", chat.AgentId);
        await using var bob = await bobsNode.ConnectOnlineAgent("bob");
        var handedToBob = bob.Record<ConversationView>("ConversationAssigned");
        var atBobMessages = bob.Record<ChatMessage>("MessageReceived");

        // Ana's node dies with her socket on it, and she never reconnects.
        var clock = Stopwatch.StartNew();
        await cluster.Kill(anasNode);
        _ = ana.DisposeAsync();

        var atBob = await handedToBob.Next(v => v.ConversationId == chat.ConversationId, TimeSpan.FromSeconds(40));
        output.WriteLine($"Bob had the chat {clock.Elapsed.TotalSeconds:0.0} s after Ana's node died");
        Assert.Equal(("bob", ConversationStatus.Active), (atBob.AgentId, atBob.Status));
        var history = await bob.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 50).WaitAsync(Clients.Timeout);
        Assert.Contains(history, m => m.SenderRole == Roles.Visitor && m.Text == "is anyone there?");

        // The visitor sees the new agent and talks on; Ana counts as away with nothing held, Bob with one chat.
        await visitor.Send(chat.ConversationId, "v-after", "still here");
        Assert.Equal("still here", (await atBobMessages.Next(m => m.ClientMessageId == "v-after")).Text);
        var dashboard = await bobsNode.SignIn("sam") is var token ? bobsNode.Hub("/hubs/supervisor", token.AccessToken) : null!;
        await using var _dashboard = dashboard;
        await dashboard.StartAsync().WaitAsync(Clients.Timeout);
        var agents = (await dashboard.InvokeAsync<DashboardView>("GetDashboard").WaitAsync(Clients.Timeout)).Agents;
        Assert.Equal(0, agents.Single(x => x.AgentId == "ana").ActiveConversations);
        Assert.NotEqual(AgentStatus.Online, agents.Single(x => x.AgentId == "ana").Status);
        Assert.Equal(1, agents.Single(x => x.AgentId == "bob").ActiveConversations);
    }

    [Fact]
    public async Task AChatHandedToAnAgentWhileItsNodeIsDyingReachesTheAgentAndTheVisitor()
    {
        await using var cluster = await LocalCluster.StartAsync(3, Settings());
        await (await cluster.Grain<IQueueGrain>("support")).GetStats();
        var queueNode = await cluster.NodeHosting<IQueueGrain>("support");

        // A waiting chat whose grain lives elsewhere than the queue's: the queue outlives its node's death.
        ResumingClient? visitor = null;
        ConversationView? chat = null;
        ClusterNode? dying = null;
        for (var attempt = 0; dying is null; attempt++)
        {
            Assert.True(attempt < 10, "no conversation grain was placed away from the queue's node in 10 tries");
            var candidate = await ResumingClient.Visitor(cluster.Nodes, attempt % 3, await cluster.Nodes[attempt % 3].OpenVisitorSession($"Olga {attempt}"));
            var view = await candidate.Invoke<ConversationView>("StartConversation", new StartConversationRequest("support", Text: "anyone?"));
            var host = await cluster.NodeHosting<IConversationGrain>(view.ConversationId);
            if (host == queueNode)
            {
                await candidate.Invoke<ConversationView>("CloseConversation", view.ConversationId);
                await candidate.DisposeAsync();
                continue;
            }
            (visitor, chat, dying) = (candidate, view, host);
        }
        await using var _visitor = visitor!;
        visitor!.Follow(chat!.ConversationId);
        var agentsNode = cluster.Nodes.First(n => n != dying);
        await using var ana = agentsNode.Hub("/hubs/agent", (await agentsNode.SignIn("ana")).AccessToken);
        var assigned = ana.Record<ConversationView>("ConversationAssigned");
        await ana.StartAsync().WaitAsync(Clients.Timeout);

        // The chat's node dies, and the queue hands the chat out at once, long before that node is evicted.
        await cluster.Kill(dying);
        await ana.InvokeAsync<AgentView>("SetStatus", "Online").WaitAsync(Clients.Timeout);

        var atAna = await assigned.Next(v => v.ConversationId == chat.ConversationId, TimeSpan.FromSeconds(40));
        Assert.Equal(("ana", ConversationStatus.Active), (atAna.AgentId, atAna.Status));
        await Eventually.True(async () => (await visitor.Invoke<List<ConversationView>>("GetMyConversations"))
            .Single(c => c.ConversationId == chat.ConversationId) is { Status: ConversationStatus.Active, AgentId: "ana" }, "the visitor to see Ana", timeoutSeconds: 30);
        Assert.Equal(1, (await ana.InvokeAsync<AgentView>("GetMe").WaitAsync(Clients.Timeout)).ActiveConversations);
        var atAnaMessages = ana.Record<ChatMessage>("MessageReceived");
        await visitor.Send(chat.ConversationId, "v-1", "hello Ana");
        Assert.Equal("hello Ana", (await atAnaMessages.Next(m => m.ClientMessageId == "v-1")).Text);
        // Told once, though the queue sent its notice until the conversation, on a live node, answered.
        await visitor.CatchUp();
        Assert.Single(visitor.Transcript(chat.ConversationId), m => m.SenderRole == Roles.System && m.Text.Contains("joined"));
    }

    [Fact]
    public async Task ThroughTheFrontProxyClientsCarryOnOnAnotherNodeWhenTheOneBehindItIsKilled()
    {
        await using var cluster = await LocalCluster.StartAsync(3, Settings(), proxy: true);
        var proxy = cluster.Proxy!;
        // Every client reaches the cluster through the proxy's one address, as browsers do through compose's nginx.
        var floor = await Floor.Open([proxy], visitorNodes: [0, 0], agentNode: 0);
        await using var _ = floor;
        var behind = await cluster.NodeBehindProxy();

        var load = floor.Converse(TimeSpan.FromSeconds(14));
        await Task.Delay(TimeSpan.FromSeconds(3));
        output.WriteLine($"killing {behind}, where the proxy sends this address");
        await cluster.Kill(behind);
        var sent = await load;

        await floor.AssertEveryAcknowledgedMessageOnceAndInOrder(sent, output);
        Assert.All(floor.Clients, c => Assert.Empty(c.Refusals));
        Assert.All(floor.Clients, c => Assert.Single(c.Moves));
        var slowest = sent.Max(s => s.Took);
        Assert.True(slowest < TimeSpan.FromSeconds(15), $"a send took {slowest.TotalSeconds:0.0} s to be acknowledged");
        // The proxy now sends the same address to a live node, and the agent still holds both chats.
        Assert.NotEqual(behind, await cluster.NodeBehindProxy());
        Assert.Equal((AgentStatus.Online, 2), await floor.Agent.Invoke<AgentView>("GetMe") is var me ? (me.Status, me.ActiveConversations) : default);
    }

    /// <summary>One agent and a visitor per entry of visitorNodes, each chatting with the agent, as resuming clients.</summary>
    private sealed class Floor : IAsyncDisposable
    {
        private readonly TimeSpan _pause;

        private Floor(ResumingClient agent, List<ResumingClient> visitors, List<string> conversations, TimeSpan pause)
        {
            (Agent, Visitors, Conversations, _pause) = (agent, visitors, conversations, pause);
        }

        public ResumingClient Agent { get; }
        public List<ResumingClient> Visitors { get; }
        public List<string> Conversations { get; }
        public IEnumerable<ResumingClient> Clients => Visitors.Append(Agent);

        public static Task<Floor> Open(LocalCluster cluster, int[] visitorNodes, int agentNode, TimeSpan? pause = null) =>
            Open(cluster.Nodes, visitorNodes, agentNode, pause);

        /// <summary>The same, with the clients reaching the cluster through <paramref name="nodes"/> (the proxy alone, say).</summary>
        public static async Task<Floor> Open(IReadOnlyList<ClusterNode> nodes, int[] visitorNodes, int agentNode, TimeSpan? pause = null)
        {
            var agent = await ResumingClient.Agent(nodes, agentNode, "ana");
            var visitors = new List<ResumingClient>();
            var conversations = new List<string>();
            foreach (var (node, i) in visitorNodes.Select((n, i) => (n, i)))
            {
                var visitor = await ResumingClient.Visitor(nodes, node, await nodes[node].OpenVisitorSession($"Visitor {i}"));
                var view = await visitor.Invoke<ConversationView>("StartConversation", new StartConversationRequest("support"));
                visitor.Follow(view.ConversationId);
                agent.Follow(view.ConversationId);
                visitors.Add(visitor);
                conversations.Add(view.ConversationId);
            }
            await Eventually.True(async () => (await agent.Invoke<List<ConversationView>>("GetMyConversations")).Count == conversations.Count,
                "the agent to have every conversation");
            return new Floor(agent, visitors, conversations, pause ?? TimeSpan.FromMilliseconds(150));
        }

        /// <summary>In every conversation, the visitor and the agent take turns sending, one at a time, for <paramref name="duration"/>.</summary>
        public async Task<List<Sent>> Converse(TimeSpan duration)
        {
            var sent = new ConcurrentBag<Sent>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Conversations.Select(async (id, i) =>
            {
                for (var k = 0; clock.Elapsed < duration; k++)
                {
                    var (client, who) = k % 2 == 0 ? (Visitors[i], "v") : (Agent, "a");
                    var at = clock.Elapsed;
                    var (ack, took) = await client.Send(id, $"{who}{k}", $"message {k} from {who} in {i}");
                    sent.Add(new Sent(id, $"{who}{k}", k, ack.Seq, at, took));
                    await Task.Delay(_pause);
                }
            }));
            return sent.ToList();
        }

        /// <summary>Both sides show every acknowledged message exactly once, in the order sent, with no seq missing.</summary>
        public async Task AssertEveryAcknowledgedMessageOnceAndInOrder(List<Sent> sent, ITestOutputHelper output)
        {
            foreach (var client in Clients)
                await client.CatchUp();
            foreach (var (id, i) in Conversations.Select((id, i) => (id, i)))
            {
                var mine = sent.Where(s => s.ConversationId == id).OrderBy(s => s.Index).ToList();
                Assert.True(mine.Count > 10, $"only {mine.Count} messages were sent in conversation {i}");
                Assert.Equal(mine.Select(s => s.Seq).Order(), mine.Select(s => s.Seq));
                foreach (var side in new[] { Visitors[i], Agent })
                {
                    Assert.Empty(side.Conflicts);
                    var transcript = side.Transcript(id);
                    Assert.Equal(Enumerable.Range(1, transcript.Count).Select(n => (long)n), transcript.Select(m => m.Seq));
                    var chat = transcript.Where(m => m.SenderRole != Roles.System).ToList();
                    Assert.Equal(mine.Select(s => (s.Seq, s.ClientMessageId)), chat.Select(m => (m.Seq, m.ClientMessageId)));
                }
            }
            output.WriteLine($"{sent.Count} acknowledged messages, each shown once and in order on both sides");
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in Clients)
                await client.DisposeAsync();
        }
    }

    private sealed record Sent(string ConversationId, string ClientMessageId, int Index, long Seq, TimeSpan At, TimeSpan Took);
}
