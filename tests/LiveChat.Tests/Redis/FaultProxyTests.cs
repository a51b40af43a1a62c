using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>The fault the other tests inject is the one they mean: a write reaches Redis and its answer never comes back.</summary>
public sealed class FaultProxyTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task WhileRepliesAreLostAWriteIsAppliedButNeverAnswered()
    {
        await using var proxy = new FaultProxy(redis);
        await using var client = await ConnectionMultiplexer.ConnectAsync($"{proxy.ConnectionString},syncTimeout=5000,asyncTimeout=5000");
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = $"fault-proxy-{Guid.NewGuid():N}";

        var fault = proxy.LoseReplies(TimeSpan.FromSeconds(1));
        var write = client.GetDatabase().StringSetAsync(key, "applied");
        // The window ends by resetting the connections, which can fail the write a moment before the fault's own task
        // completes: a failure is not an answer.
        var answered = await Task.WhenAny(write, fault) == write && write.IsCompletedSuccessfully;
        await fault;

        Assert.False(answered, "the write was answered while replies were being lost");
        Assert.Equal("applied", (string?)await direct.GetDatabase().StringGetAsync(key));
        await Assert.ThrowsAnyAsync<Exception>(() => write);
        // Bytes flow again once the window has ended: the client reconnects and is answered.
        await Eventually.True(async () =>
        {
            try { return await client.GetDatabase().StringGetAsync(key) == "applied"; }
            catch (RedisException) { return false; }
        }, "the client is answered again after the fault");
    }
}
