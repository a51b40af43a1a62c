using LiveChat.Server.Routing;
using LiveChat.Server.Storage;
using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>A queue's store, in Redis and in memory alike: the line and notices as changed, hand-backs remembered.</summary>
public sealed class QueueStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Stores => new() { "redis", "memory" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TheLineAndTheNoticesComeBackAsChangedAndAHandBackIsRemembered(string kind)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        IQueueStore store = kind == "redis" ? new RedisQueueStore(connection, TimeProvider.System) : new InMemoryQueueStore(TimeProvider.System);
        var queue = $"q{Guid.NewGuid():N}";
        var line = new WaitingLine();
        foreach (var id in new[] { "a", "b", "c", "d" })
            line.Join(new QueueEntry(id, Nine, Nine.AddMinutes(-1)), atHead: false);
        var agent = new AgentView("ann", "Ann", AgentStatus.Online, 1, 3);
        var assigned = PendingNotice.Assigned("a", agent, requeuedFrom: "bob");
        var returned = PendingNotice.Returned("x", "bob");
        await store.ApplyAsync(queue, [new QueueChange(line.TakeChanges(), [assigned, returned], [], HandBackId: null)]);

        // The head went to an agent, one left, one was transferred in at the head; one notice arrived.
        line.Remove("a");
        line.Remove("c");
        line.Join(new QueueEntry("moved", Nine.AddMinutes(1)), atHead: true);
        var later = PendingNotice.Assigned("b", agent, requeuedFrom: null);
        await store.ApplyAsync(queue, [new QueueChange(line.TakeChanges(), [later], [assigned.Id], HandBackId: "hb_1")]);

        var stored = await store.LoadAsync(queue);
        var restored = new WaitingLine();
        restored.Restore(stored.Line);
        Assert.Equal(["moved", "b", "d"], restored.FirstIds(10));
        Assert.Equal(new QueueEntry("d", Nine, Nine.AddMinutes(-1)), restored.Entry("d"));
        Assert.Equal([returned, later], stored.Notices);
        Assert.True(await store.TookHandBackAsync(queue, "hb_1"));
        Assert.False(await store.TookHandBackAsync(queue, "hb_2"));
        Assert.Empty((await store.LoadAsync($"q{Guid.NewGuid():N}")).Line);
    }
}
