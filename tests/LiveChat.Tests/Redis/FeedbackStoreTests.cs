using LiveChat.Server.Storage;
using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>The feedback inbox's store, in Redis and in memory alike: newest first, filters, pages, a changed rating.</summary>
public sealed class FeedbackStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Stores => new() { "redis", "memory" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task EntriesComeNewestFirstFilteredAndPagedWithoutGapsOrRepeats(string kind)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        IFeedbackStore store = kind == "redis" ? new RedisFeedbackStore(connection) : new InMemoryFeedbackStore();

        // Twelve ratings a minute apart: queues alternate, agents take turns of three, scores cycle 1..4.
        var entries = Enumerable.Range(0, 12).Select(i => Entry($"c{i:00}", i % 2 == 0 ? "support" : "sales", $"agent{i % 3}", i % 4 + 1, Start.AddMinutes(i))).ToList();
        foreach (var entry in entries)
            await store.SaveAsync(entry);

        var all = await store.QueryAsync(new FeedbackQuery(Limit: 50));
        Assert.Equal(entries.Select(e => e.ConversationId).Reverse(), all.Items.Select(e => e.ConversationId));
        Assert.Null(all.NextBefore);

        var pages = new List<string>();
        FeedbackPage page = new([], null);
        var count = 0;
        do
        {
            page = await store.QueryAsync(new FeedbackQuery(Queue: "support", Limit: 4, Before: page.NextBefore));
            pages.AddRange(page.Items.Select(e => e.ConversationId));
            count++;
        }
        while (page.NextBefore is not null && count < 10);
        Assert.Equal(entries.Where(e => e.Queue == "support").Select(e => e.ConversationId).Reverse(), pages);
        Assert.Equal(2, count);

        var agentAndScore = await store.QueryAsync(new FeedbackQuery(AgentId: "AGENT1", Score: 2));
        Assert.Equal(entries.Where(e => e.AgentId == "agent1" && e.Score == 2).Select(e => e.ConversationId).Reverse(), agentAndScore.Items.Select(e => e.ConversationId));

        // A changed rating moves to its new score and to the top; reviewing it files it under reviewed.
        var revised = entries[0] with { Score = 5, RatedAt = Start.AddHours(1), Revisions = 2 };
        await store.SaveAsync(revised);
        await store.SaveAsync(entries[1] with { ReviewedBy = "sam", ReviewedAt = Start.AddHours(2) });
        Assert.Equal(["c00"], (await store.QueryAsync(new FeedbackQuery(Score: 5))).Items.Select(e => e.ConversationId));
        Assert.DoesNotContain("c00", (await store.QueryAsync(new FeedbackQuery(Score: 1))).Items.Select(e => e.ConversationId));
        Assert.Equal("c00", (await store.QueryAsync(new FeedbackQuery(Limit: 1))).Items.Single().ConversationId);
        Assert.Equal(["c01"], (await store.QueryAsync(new FeedbackQuery(Reviewed: true))).Items.Select(e => e.ConversationId));
        Assert.Equal(revised, await store.GetAsync("c00"));
    }

    private static FeedbackEntry Entry(string id, string queue, string agent, int score, DateTimeOffset at) =>
        new(id, queue, agent, agent.ToUpperInvariant(), $"v_{id}", $"Visitor {id}", score, $"comment {id}", at, 1, null, null);
}
