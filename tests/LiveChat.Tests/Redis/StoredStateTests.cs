using LiveChat.Server.Conversations;
using LiveChat.Server.Routing;
using LiveChat.Server.Storage;
using LiveChat.Server.Visitors;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>
/// State in Redis written by the build before the grains moved into feature folders (ae36f18) loads in this one: the
/// JSON names each object's old CLR type (<c>LiveChat.Server.Grains.*</c>) and, for two renamed properties, their old
/// names. The top-level documents were captured from that build's Redis after a load-suite run; the pending notice,
/// hand-back and assignment line inside them are written in the same format.
/// </summary>
public sealed class StoredStateTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const string Conversation = """
        {"$id":"1","$type":"LiveChat.Server.Grains.ConversationState, LiveChat.Server","Queue":"support","Status":1,"VisitorId":"v_2b7f94c310e948358785a04de7398886","VisitorName":"Visitor 58","AgentId":"ann","AgentName":"Ann","CreatedAt":"2026-12-07T03:25:33.1486622+00:00","AssignedAt":"2026-12-07T03:25:33.2461287+00:00","LastSeq":3,"FirstResponseAt":"2026-12-07T03:25:43.4163286+00:00","FirstResponseSeconds":10.17,"Watchers":{"$type":"System.Collections.Generic.HashSet`1[[System.String, System.Private.CoreLib]], System.Private.CoreLib","$values":[]},"AnsweredSinceAssignment":true,"AssignmentNoticeId":"as_c3bb7c46d2f34c75a07b16a952b82e40","Unannounced":{"$id":"2","$type":"LiveChat.Server.Grains.PendingAnnouncement, LiveChat.Server","LineId":"system-as_c3bb7c46d2f34c75a07b16a952b82e40","Note":"Ann joined the conversation."}}
        """;

    private const string Queue = """
        {"$id":"1","$type":"LiveChat.Server.Grains.QueueState, LiveChat.Server","Waiting":{"$type":"System.Collections.Generic.List`1[[LiveChat.Contracts.QueueEntry, LiveChat.Contracts]], System.Private.CoreLib","$values":[{"$id":"2","$type":"LiveChat.Contracts.QueueEntry, LiveChat.Contracts","ConversationId":"c_waiting","EnqueuedAt":"2026-12-07T03:25:40.1+00:00"}]},"RatingSum":9,"Ratings":2,"HandBacks":{"$type":"System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]], System.Private.CoreLib","$values":["hb_1"]},"Notices":{"$type":"System.Collections.Generic.List`1[[LiveChat.Server.Grains.PendingNotice, LiveChat.Server]], System.Private.CoreLib","$values":[{"$id":"3","$type":"LiveChat.Server.Grains.PendingNotice, LiveChat.Server","Id":"as_2","ConversationId":"c_told","Agent":{"$id":"4","$type":"LiveChat.Contracts.AgentView, LiveChat.Contracts","AgentId":"ann","DisplayName":"Ann","Status":1,"ActiveConversations":1,"MaxConversations":3,"HasFreeCapacity":true}}]}}
        """;

    private const string Agent = """
        {"$id":"1","$type":"LiveChat.Server.Grains.AgentState, LiveChat.Server","Status":1,"Active":{"$type":"System.Collections.Generic.List`1[[LiveChat.Server.Grains.ActiveChat, LiveChat.Server]], System.Private.CoreLib","$values":[{"$id":"2","$type":"LiveChat.Server.Grains.ActiveChat, LiveChat.Server","ConversationId":"c_6177dbb70da545a5b60084c2b6da3aa0","Queue":"support"}]},"HandBacks":{"$type":"System.Collections.Generic.List`1[[LiveChat.Server.Grains.PendingHandBack, LiveChat.Server]], System.Private.CoreLib","$values":[{"$id":"3","$type":"LiveChat.Server.Grains.PendingHandBack, LiveChat.Server","Id":"hb_2","Queue":"sales","Entries":{"$type":"System.Collections.Generic.List`1[[LiveChat.Contracts.QueueEntry, LiveChat.Contracts]], System.Private.CoreLib","$values":[{"$id":"4","$type":"LiveChat.Contracts.QueueEntry, LiveChat.Contracts","ConversationId":"c_back","EnqueuedAt":"2026-12-07T03:26:00+00:00"}]}}]}}
        """;

    private const string Visitor = """
        {"$id":"1","$type":"LiveChat.Server.Grains.VisitorState, LiveChat.Server","Name":"Visitor 1193","CreatedAt":"2026-12-07T03:25:38.8766342+00:00","Conversations":{"$type":"System.Collections.Generic.List`1[[LiveChat.Server.Grains.VisitorConversation, LiveChat.Server]], System.Private.CoreLib","$values":[{"$id":"2","$type":"LiveChat.Server.Grains.VisitorConversation, LiveChat.Server","ConversationId":"c_95828b31b0324942b5503dc94f38714a","Queue":"support"}]}}
        """;

    [Fact]
    public async Task StateWrittenBeforeTheGrainsMovedStillLoadsWithEveryField()
    {
        var serviceId = $"stored-{Guid.NewGuid():N}";
        await Seed(serviceId, ("conversation/c_old", StorageNames.ConversationState, Conversation), ("queue/old", StorageNames.QueueState, Queue),
            ("agent/ann", StorageNames.AgentState, Agent), ("visitor/v_old", StorageNames.VisitorState, Visitor));
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Orleans:ServiceId"] = serviceId,
        });
        var storage = node.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);

        var conversation = await Read<ConversationState>(storage, "conversation", "c_old", StorageNames.ConversationState);
        Assert.Equal((ConversationStatus.Active, "ann", "Ann", 3L, 10.17), (conversation.Status, conversation.AgentId, conversation.AgentName, conversation.LastSeq, conversation.FirstResponseSeconds));
        Assert.Equal("as_c3bb7c46d2f34c75a07b16a952b82e40", conversation.LastNoticeId);
        Assert.Equal(new PendingAssignmentLine("system-as_c3bb7c46d2f34c75a07b16a952b82e40", "Ann joined the conversation.", null), conversation.UnshownAssignment);

        var queue = await Read<QueueState>(storage, "queue", "old", StorageNames.QueueState);
        Assert.Equal(("c_waiting", 2, 9L, "hb_1"), (queue.Waiting.Single().ConversationId, queue.Ratings, queue.RatingSum, queue.HandBacks.Single()));
        var notice = queue.Notices.Single();
        Assert.Equal(("as_2", "c_told", "ann", AgentStatus.Online), (notice.Id, notice.ConversationId, notice.Agent!.AgentId, notice.Agent.Status));

        var agent = await Read<AgentState>(storage, "agent", "ann", StorageNames.AgentState);
        Assert.Equal((AgentStatus.Online, "c_6177dbb70da545a5b60084c2b6da3aa0"), (agent.Status, agent.Active.Single().ConversationId));
        var handBack = agent.HandBacks.Single();
        Assert.Equal(("hb_2", "sales", "c_back"), (handBack.Id, handBack.Queue, handBack.Entries.Single().ConversationId));

        var visitor = await Read<VisitorState>(storage, "visitor", "v_old", StorageNames.VisitorState);
        Assert.Equal(("Visitor 1193", "c_95828b31b0324942b5503dc94f38714a"), (visitor.Name, visitor.Conversations.Single().ConversationId));
    }

    [Fact]
    public async Task ALoadedStateIsWrittenBackUnderTheNewNamesAndStillLoads()
    {
        var serviceId = $"stored-{Guid.NewGuid():N}";
        await Seed(serviceId, ("conversation/c_old", StorageNames.ConversationState, Conversation));
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Orleans:ServiceId"] = serviceId,
        });
        var storage = node.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var id = GrainId.Create("conversation", "c_old");
        var state = new GrainState<ConversationState>();
        await storage.ReadStateAsync(StorageNames.ConversationState, id, state);

        state.State!.VisitorName = "Vera";
        await storage.WriteStateAsync(StorageNames.ConversationState, id, state);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var stored = (string?)await connection.GetDatabase().HashGetAsync(Key(serviceId, "conversation/c_old", StorageNames.ConversationState), "data");
        var again = await Read<ConversationState>(storage, "conversation", "c_old", StorageNames.ConversationState);

        Assert.Contains("LiveChat.Server.Conversations.ConversationState", stored);
        Assert.DoesNotContain("LiveChat.Server.Grains", stored);
        Assert.Equal(("Vera", "as_c3bb7c46d2f34c75a07b16a952b82e40", "system-as_c3bb7c46d2f34c75a07b16a952b82e40"), (again.VisitorName, again.LastNoticeId, again.UnshownAssignment?.LineId));
    }

    private static async Task<T> Read<T>(IGrainStorage storage, string grainType, string key, string stateName) where T : new()
    {
        var state = new GrainState<T>();
        await storage.ReadStateAsync(stateName, GrainId.Create(grainType, key), state).WaitAsync(Clients.Timeout);
        Assert.True(state.RecordExists, $"{grainType}/{key} not found in Redis");
        return state.State!;
    }

    /// <summary>Writes each document where Orleans' Redis storage keeps a grain's state: a hash of its JSON and an etag.</summary>
    private async Task Seed(string serviceId, params (string GrainId, string StateName, string Json)[] documents)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        foreach (var (grainId, stateName, json) in documents)
            await db.HashSetAsync(Key(serviceId, grainId, stateName), [new("data", json.Trim()), new("etag", Guid.NewGuid().ToString("N"))]);
    }

    private static string Key(string serviceId, string grainId, string stateName) => $"{serviceId}/state/{grainId}/{stateName}";
}
