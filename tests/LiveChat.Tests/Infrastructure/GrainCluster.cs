using LiveChat.Server.Hosting;
using LiveChat.Server.Notifications;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// One in-process Orleans test cluster (two silos, memory storage) for all grain tests, configured the way a node
/// is. Each test uses its own queue and agents, so tests sharing the cluster never see each other's chats.
/// </summary>
public sealed class GrainCluster : IAsyncLifetime
{
    public static readonly string[] Queues = ["capacity", "capacity2", "close", "away", "presence", "burst", "messages", "least", "xfer", "sup", "rated", "idle", "owed", "overtaken", "handback", "lostanswer", "stale", "pushes"];

    private InProcessTestCluster? _cluster;

    public IGrainFactory Grains => _cluster!.Client;

    /// <summary>Every push the grains made, from every silo.</summary>
    public RecordingNotifier Pushes { get; } = new();

    /// <summary>Deactivates a grain, as idle collection or a restart would; its next call activates it afresh from storage.</summary>
    public Task Deactivate(IAddressable grain) => _cluster!.DeactivateAsync(grain);

    /// <summary>The agent connects (as the agent hub would) and goes Online, so the grace period for agents without a connection never starts.</summary>
    public async Task<AgentView> GoOnline(string agentId)
    {
        var agent = Grains.GetGrain<IAgentGrain>(agentId);
        await agent.Connect($"test-connection-{agentId}");
        return await agent.SetStatus(AgentStatus.Online);
    }

    /// <summary>A new visitor starts a conversation in <paramref name="queue"/>; returns it and the visitor as a caller.</summary>
    public async Task<(ConversationView View, Caller Visitor)> StartChat(string queue, string? text = null)
    {
        var visitorId = $"v_{Guid.NewGuid():N}";
        var visitor = Grains.GetGrain<IVisitorGrain>(visitorId);
        var profile = await visitor.Touch("Ann", null, verified: false);
        var view = await visitor.StartConversation(new StartConversationRequest(queue, Text: text));
        return (view, new Caller(Roles.Visitor, visitorId, profile.Name));
    }

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:DefaultQueue"] = "messages",
            ["LiveChat:AwayGraceSeconds"] = "1",
            ["LiveChat:Auth:SigningKey"] = TestUsers.SigningKey,
        };
        for (var i = 0; i < Queues.Length; i++)
            settings[$"LiveChat:Queues:{i}"] = Queues[i];
        var user = 0;
        TestUsers.Add(settings, user++, "cap", max: 2, queues: "capacity");
        TestUsers.Add(settings, user++, "cap2", max: 100, queues: "capacity2");
        TestUsers.Add(settings, user++, "closer", max: 1, queues: "close");
        TestUsers.Add(settings, user++, "xferer", max: 1, queues: "xfer");
        TestUsers.Add(settings, user++, "away1", max: 2, queues: "away");
        TestUsers.Add(settings, user++, "away2", max: 1, queues: "away");
        TestUsers.Add(settings, user++, "present", max: 2, queues: "presence");
        TestUsers.Add(settings, user++, "messenger", max: 5, queues: "messages");
        TestUsers.Add(settings, user++, "least1", max: 3, queues: "least");
        TestUsers.Add(settings, user++, "least2", max: 3, queues: "least");
        for (var i = 0; i < 10; i++)
            TestUsers.Add(settings, user++, $"burst{i}", max: 3, queues: "burst");
        TestUsers.Add(settings, user++, "helper", max: 1, queues: "sup");
        TestUsers.Add(settings, user++, "boss", role: "supervisor", max: 1, queues: "sup");
        TestUsers.Add(settings, user++, "rater", max: 5, queues: "rated");
        TestUsers.Add(settings, user++, "idler", max: 1, queues: "idle");
        TestUsers.Add(settings, user++, "ower", max: 1, queues: "owed");
        foreach (var agent in new[] { "leaver", "taker", "latecomer" })
            TestUsers.Add(settings, user++, agent, max: 2, queues: "overtaken");
        TestUsers.Add(settings, user++, "finder", max: 1, queues: "lostanswer");
        TestUsers.Add(settings, user++, "stalest", max: 1, queues: "stale");
        TestUsers.Add(settings, user++, "pusher", max: 2, queues: "pushes");

        var builder = new InProcessTestClusterBuilder(initialSilosCount: 2);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.AddLiveChatOptions();
            host.Services.AddLiveChatMemoryStores();
            host.AddLiveChatMetrics();
            host.Services.AddSingleton<INotifier>(Pushes);
        });
        builder.ConfigureSilo((_, silo) => silo.AddMemoryGrainStorage(StorageNames.Grains));
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
