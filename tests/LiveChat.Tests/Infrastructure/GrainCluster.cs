using LiveChat.Server.Hosting;
using LiveChat.Server.Notifications;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// One in-process Orleans test cluster (two silos, memory storage) for all grain tests, configured the way a node
/// is. Each test takes its own queue and agents from <see cref="Floor"/>, so tests sharing the cluster never see each
/// other's chats.
/// </summary>
public sealed class GrainCluster : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    /// <summary>
    /// The queues and agents tests take. Most queues have agents of limits 1, 2 (three), 3 (two), 5 and 100 and a
    /// supervisor of limit 1; a few are served by nobody, and one by ten agents of limit 3.
    /// </summary>
    public Floor Floor { get; } = new Floor()
        .Add(queues: 60, 1, 2, 2, 2, 3, 3, 5, 100, Seat.Supervisor(1))
        .Add(queues: 12)
        .Add(queues: 1, [.. Enumerable.Repeat<Seat>(3, 10)])
        .Add(queues: 1, 7, 7)
        .Add(queues: 1, 8)
        .Add(queues: 1, 9);

    /// <summary>The queue (agent of limit 7) whose assigned chats stop counting against their agent when the visitor leaves, rather than close.</summary>
    public string ReleasingQueue { get; }

    /// <summary>The queue (agent of limit 8) that takes at most <see cref="CappedQueueMaxWaiting"/> waiting chats, and calls a wait over a minute long.</summary>
    public string CappedQueue { get; }

    /// <summary>The queue (agent of limit 9) that closes an assigned chat after <see cref="SilentQueueIdleSeconds"/> without a message.</summary>
    public string SilentQueue { get; }

    public const int SilentQueueIdleSeconds = 2;

    public const int CappedQueueMaxWaiting = 3;

    /// <summary>Chats that may wait in one queue from one client address, in this cluster.</summary>
    public const int WaitingPerAddress = 2;

    public IGrainFactory Grains => _cluster!.Client;

    public GrainCluster()
    {
        // Set aside for the tests of their settings: no other test is handed them.
        ReleasingQueue = Floor.Queue(7);
        CappedQueue = Floor.Queue(8);
        SilentQueue = Floor.Queue(9);
    }

    /// <summary>Every push the grains made, from every silo.</summary>
    public RecordingNotifier Pushes { get; } = new();

    /// <summary>Write failures a test plans: the message log and grain storage of every silo carry them out.</summary>
    public Faults Faults { get; } = new();

    /// <summary>Deactivates a grain, as idle collection or a restart would; its next call activates it afresh from storage.</summary>
    public Task Deactivate(IAddressable grain) => _cluster!.DeactivateAsync(grain);

    /// <summary>The agent connects (as the agent hub would) and goes Online, so the grace period for agents without a connection never starts.</summary>
    public async Task<AgentView> GoOnline(string agentId)
    {
        var agent = Grains.GetGrain<IAgentGrain>(agentId);
        await agent.Connect($"test-connection-{agentId}");
        return await agent.SetStatus(AgentStatus.Online);
    }

    /// <summary>
    /// A new visitor connects (as the visitor hub would) and starts a conversation in <paramref name="queue"/>; returns
    /// it and the visitor as a caller. Nothing renews the connection, so the visitor counts as gone some 30 s after.
    /// </summary>
    public async Task<(ConversationView View, Caller Visitor)> StartChat(string queue, string? text = null, string? address = null)
    {
        var visitorId = $"v_{Guid.NewGuid():N}";
        var visitor = Grains.GetGrain<IVisitorGrain>(visitorId);
        var profile = await visitor.Touch("Ann", null, verified: false);
        await visitor.Connected(VisitorConnection(visitorId));
        var view = await visitor.StartConversation(new StartConversationRequest(queue, Text: text), address);
        return (view, new Caller(Roles.Visitor, visitorId, profile.Name));
    }

    /// <summary>The connection <see cref="StartChat"/> opened for the visitor.</summary>
    public static string VisitorConnection(string visitorId) => $"test-connection-{visitorId}";

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:DefaultQueue"] = "messages",
            ["LiveChat:AwayGraceSeconds"] = "1",
            ["LiveChat:VisitorGraceSeconds"] = "2",
            ["LiveChat:Auth:SigningKey"] = TestUsers.SigningKey,
        };
        Floor.Configure(settings);
        settings[$"LiveChat:QueueSettings:{ReleasingQueue}:WhenVisitorLeaves"] = "Release";
        settings[$"LiveChat:QueueSettings:{CappedQueue}:MaxWaiting"] = $"{CappedQueueMaxWaiting}";
        settings[$"LiveChat:QueueSettings:{CappedQueue}:LongWaitMinutes"] = "1";
        settings["LiveChat:Limits:WaitingPerAddress"] = $"{WaitingPerAddress}";
        settings[$"LiveChat:QueueSettings:{SilentQueue}:IdleSeconds"] = $"{SilentQueueIdleSeconds}";

        var builder = new InProcessTestClusterBuilder(initialSilosCount: 2);
        var log = new FaultyMessageLog(new InMemoryMessageLog(), Faults);
        var queues = new FaultyQueueStore(new InMemoryQueueStore(TimeProvider.System), Faults);
        var offline = new FaultyOfflineMessageStore(new InMemoryOfflineMessageStore(), Faults);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.AddLiveChatOptions();
            host.Services.AddLiveChatMemoryStores();
            host.AddLiveChatMetrics();
            host.Services.AddSingleton<INotifier>(Pushes);
            // One log for both silos, as Redis is for every node: a conversation that moves finds its messages.
            host.Services.AddSingleton<IMessageLog>(log);
            host.Services.AddSingleton<IQueueStore>(queues);
            host.Services.AddSingleton<IOfflineMessageStore>(offline);
            host.Services.AddGrainStorage(StorageNames.Grains, (services, name) => new FaultyGrainStorage(MemoryGrainStorageFactory.Create(services, name), Faults));
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
            await _cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainCluster>
{
    public const string Name = "grain cluster";
}
