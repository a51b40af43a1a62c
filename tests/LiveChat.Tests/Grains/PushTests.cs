namespace LiveChat.Tests.Grains;

/// <summary>What the grains push to people, seen through the notifier they push through: who is shown what, and who never is.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class PushTests(GrainCluster cluster)
{
    private static readonly Caller Watcher = new(Roles.Supervisor, "watcher", "Watcher");
    private RecordingNotifier Pushes => cluster.Pushes;
    private Floor Floor => cluster.Floor;

    [Fact]
    public async Task AnAssignmentIsShownToTheAgentAndTheVisitor()
    {
        var queue = Floor.Queue(2);
        var agent = Floor.Agent(queue, max: 2);
        await cluster.GoOnline(agent);
        var (view, visitor) = await cluster.StartChat(queue);

        var assigned = await Pushes.WaitFor($"agent:{agent}", nameof(IAgentClient.ConversationAssigned), p => p.Arg<ConversationView>().ConversationId == view.ConversationId);
        Assert.Equal(ConversationStatus.Active, assigned.Arg<ConversationView>().Status);
        var joined = await Pushes.WaitFor($"visitor:{visitor.Id}", nameof(IVisitorClient.MessageReceived), p => p.Arg<ChatMessage>().SenderRole == Roles.System);
        Assert.Equal($"{Floor.DisplayName(agent)} joined the conversation.", joined.Arg<ChatMessage>().Text);
        await Chat(view).Close(visitor);
    }

    [Fact]
    public async Task AMessageReachesVisitorAgentAndWatchersAndAWhisperNeverTheVisitor()
    {
        var queue = Floor.Queue(2);
        var agent = Floor.Agent(queue, max: 2);
        await cluster.GoOnline(agent);
        var (view, visitor) = await cluster.StartChat(queue);
        var chat = Chat(view);
        await chat.Watch(Watcher, "watch-connection");

        var ack = await chat.Send(visitor, "m1", "my order is late");
        foreach (var audience in new[] { $"visitor:{visitor.Id}", $"agent:{agent}", $"watchers:{view.ConversationId}" })
        {
            var pushed = await Pushes.WaitFor(audience, nameof(IConversationClient.MessageReceived), p => p.Arg<ChatMessage>().ClientMessageId == "m1");
            Assert.Equal((ack.Seq, "my order is late"), (pushed.Arg<ChatMessage>().Seq, pushed.Arg<ChatMessage>().Text));
        }

        await chat.AddInternal(Watcher, MessageKinds.Whisper, "w1", "offer a refund");
        await Pushes.WaitFor($"agent:{agent}", nameof(IAgentClient.InternalMessageReceived), p => p.Arg<ChatMessage>().ClientMessageId == "w1");
        await Pushes.WaitFor($"watchers:{view.ConversationId}", nameof(ISupervisorClient.InternalMessageReceived), p => p.Arg<ChatMessage>().ClientMessageId == "w1");
        // The visitor's next message comes after the whisper: everything pushed to the visitor up to then is in the record.
        await chat.Send(visitor, "m2", "hello?");
        await Pushes.WaitFor($"visitor:{visitor.Id}", nameof(IConversationClient.MessageReceived), p => p.Arg<ChatMessage>().ClientMessageId == "m2");
        Assert.DoesNotContain(Pushes.To($"visitor:{visitor.Id}"), p => p.Args.OfType<ChatMessage>().Any(m => m.Text == "offer a refund"));
        await chat.Close(visitor);
    }

    [Fact]
    public async Task AStatusChangeIsShownToTheAgentAndOnTheDashboard()
    {
        var agent = Floor.Agent(Floor.Queue(1), max: 1);
        await cluster.GoOnline(agent);
        await cluster.Grains.GetGrain<IAgentGrain>(agent).SetStatus(AgentStatus.Away);

        await Pushes.WaitFor($"agent:{agent}", nameof(IAgentClient.AgentUpdated), p => p.Arg<AgentView>().Status == AgentStatus.Away);
        await Pushes.WaitFor("supervisors", nameof(ISupervisorClient.DashboardUpdated),
            p => p.Arg<DashboardView>().Agents.Any(a => a.AgentId == agent && a.Status == AgentStatus.Away));
    }

    [Fact]
    public async Task AnAnnouncementReachesEveryoneAndSoDoesItsWithdrawal()
    {
        var announcements = cluster.Grains.GetGrain<IAnnouncementsGrain>(0);
        var published = await announcements.Publish(Watcher, new AnnouncementRequest("Payments are down", AnnouncementSeverities.Critical));

        await Pushes.WaitFor("everyone", nameof(IAnnouncementClient.AnnouncementPublished), p => p.Arg<Announcement>().Id == published.Id);
        await announcements.Withdraw(Watcher, published.Id);
        await Pushes.WaitFor("everyone", nameof(IAnnouncementClient.AnnouncementWithdrawn), p => (string?)p.Args[0] == published.Id);
    }

    private IConversationGrain Chat(ConversationView view) => cluster.Grains.GetGrain<IConversationGrain>(view.ConversationId);
}
