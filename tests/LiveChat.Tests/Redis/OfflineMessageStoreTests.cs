using LiveChat.Server.Storage;
using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>A queue's offline messages, in Redis and in memory alike: each stored on its own, newest first, a handled mark rewriting only that one.</summary>
public sealed class OfflineMessageStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Stores => new() { "redis", "memory" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task MessagesComeBackNewestFirstWithTheirMarksAndTheDroppedOneGone(string kind)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        IOfflineMessageStore store = kind == "redis" ? new RedisOfflineMessageStore(connection) : new InMemoryOfflineMessageStore();
        var queue = $"q{Guid.NewGuid():N}";
        var other = $"q{Guid.NewGuid():N}";
        var first = new OfflineMessage("om_1", queue, "Ann", "ann@example.com", "first", Nine);
        var second = new OfflineMessage("om_2", queue, "Bob", "bob@example.com", "second, with a | and \"quotes\"", Nine.AddMinutes(1));
        var third = new OfflineMessage("om_3", queue, "Cy", "cy@example.com", "third", Nine.AddMinutes(2));
        await store.SaveAsync(first);
        await store.SaveAsync(second);
        await store.SaveAsync(new OfflineMessage("om_9", other, "Dee", "dee@example.com", "elsewhere", Nine));
        var handled = first with { HandledBy = "sue", HandledAt = Nine.AddMinutes(5) };
        await store.SaveAsync(handled);
        await store.SaveAsync(third, dropped: handled.Id);

        Assert.Equal([third, second], await store.LoadAsync(queue));
        Assert.Equal(["om_9"], (await store.LoadAsync(other)).Select(m => m.Id));
        Assert.Empty(await store.LoadAsync($"q{Guid.NewGuid():N}"));
    }

    [Fact]
    public async Task LeavingOrMarkingOneMessageWritesThatOneNotTheInbox()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var store = new RedisOfflineMessageStore(connection);
        var queue = $"q{Guid.NewGuid():N}";
        var big = new string('x', 3000);
        for (var i = 0; i < 50; i++)
            await store.SaveAsync(new OfflineMessage($"om_{i}", queue, "Ann", "ann@example.com", big, Nine.AddSeconds(i)));
        var inbox = await store.LoadAsync(queue);

        var beforeMark = await redis.BytesReceivedAsync();
        await store.SaveAsync(inbox.Single(m => m.Id == "om_3") with { HandledBy = "sue", HandledAt = Nine.AddHours(1) });
        var mark = await redis.BytesReceivedAsync() - beforeMark;
        var beforeLeave = await redis.BytesReceivedAsync();
        await store.SaveAsync(new OfflineMessage("om_50", queue, "Bob", "bob@example.com", big, Nine.AddMinutes(5)), dropped: "om_3");
        var leave = await redis.BytesReceivedAsync() - beforeLeave;

        // The inbox holds 150 KB; a mark or a new message sends about one message's 3 KB (and the INFO asking).
        Assert.InRange(mark, 3000, 10_000);
        Assert.InRange(leave, 3000, 10_000);
        var after = await store.LoadAsync(queue);
        Assert.Equal(50, after.Count);
        Assert.Equal("om_50", after[0].Id);
        Assert.DoesNotContain(after, m => m.Id == "om_3");
    }

}
