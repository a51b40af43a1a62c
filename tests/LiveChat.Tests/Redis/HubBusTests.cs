using LiveChat.Server.Hubs;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>
/// What a node on Redis sends through Redis for its hubs: nothing, while it is alone (its clients get their pushes
/// straight from it), and every push once another node says it is there, so clients on the other node get them too.
/// Pushes between clients of different nodes, and across a Redis restart, are in <c>Cluster/ClusterTests</c>.
/// </summary>
public sealed class HubBusTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ANodeAlonePublishesNoPushAndPublishesEveryPushOnceAnotherNodeIsThere()
    {
        await using var node = await LiveChatTestServer.StartAsync(Settings());
        var bus = node.Services.GetRequiredService<HubBus>();
        // Everything published on the hubs' channels, as another node would receive it.
        await using var listener = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var published = 0;
        await listener.GetSubscriber().SubscribeAsync(RedisChannel.Pattern("livechat:hub:*"), (_, _) => Interlocked.Increment(ref published));
        // A node publishes to everyone for its first seconds, until it can know it is alone.
        await Eventually.True(() => Task.FromResult(!bus.HasPeers), "the node knows it is alone");

        await using var ada = await node.ConnectOnlineAgent("ada");
        var toAda = ada.Record<ChatMessage>("MessageReceived");
        await using var vera = await node.StartVisitorChat("Vera", "support");
        for (var i = 1; i <= 5; i++)
        {
            await vera.Send($"v-{i}", $"visitor {i}");
            await ada.InvokeAsync<MessageAck>("SendMessage", vera.Id, $"a-{i}", $"agent {i}").WaitAsync(Clients.Timeout);
        }
        await vera.Messages.Next(m => m.Text == "agent 5");
        await toAda.Next(m => m.Text == "visitor 5");
        Assert.Equal(0, Volatile.Read(ref published));

        // Another node says it is there, as every node does once a second.
        var other = Guid.NewGuid().ToByteArray();
        await listener.GetSubscriber().PublishAsync(RedisChannel.Literal("livechat:hub-nodes"), other);
        await Eventually.True(() => Task.FromResult(bus.HasPeers), "the node heard the other");
        await vera.Send("v-6", "visitor 6");
        await toAda.Next(m => m.Text == "visitor 6");
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref published) >= 2), "the pushes to Vera and Ada went out for the other node");
    }

    [Fact]
    public async Task ASendFromANodeThatSaysNothingOfItselfStillCountsAsAnotherNode()
    {
        await using var node = await LiveChatTestServer.StartAsync(Settings());
        var bus = node.Services.GetRequiredService<HubBus>();
        await Eventually.True(() => Task.FromResult(!bus.HasPeers), "the node knows it is alone");

        // What a node from before the heartbeats sends: a push on a hub's channel, in the bus's format (version 1,
        // its node id, no connection left out, no protocol), and nothing on livechat:hub-nodes.
        await using var older = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        byte[] push = [1, .. Guid.NewGuid().ToByteArray(), 0, 0];
        await older.GetSubscriber().PublishAsync(RedisChannel.Literal("livechat:hub:VisitorHub:user:v_nobody"), push);

        await Eventually.True(() => Task.FromResult(bus.HasPeers), "the node publishes for the older one");
    }

    /// <summary>A node of its own cluster on the fixture's Redis, with one agent, Ada, serving "support".</summary>
    private Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Orleans:ServiceId"] = $"bus-{Guid.NewGuid():N}",
            ["Orleans:ClusterId"] = $"bus-{Guid.NewGuid():N}",
        };
        TestUsers.Add(settings, 0, "ada", queues: "support");
        return settings;
    }
}
