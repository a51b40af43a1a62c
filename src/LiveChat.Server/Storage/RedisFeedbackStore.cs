using System.Text.Json;
using StackExchange.Redis;

namespace LiveChat.Server.Storage;

/// <summary>
/// Feedback in Redis: each entry as JSON under its conversation id, and sorted sets of conversation ids scored by the
/// time of rating (in microseconds): one for all entries and one per queue, agent and score. A query walks the
/// narrowest set that applies, newest first, and checks the other filters on the entries it reads. Pages end before
/// the last entry's rating time (exclusive), so two ratings within the same microsecond could straddle a page edge.
/// Every key shares the <c>{feedback}</c> hash tag, so a save is one transaction on one shard.
/// </summary>
public sealed class RedisFeedbackStore(IConnectionMultiplexer redis) : IFeedbackStore
{
    // A query reads at most this many entries, so a filter that matches little cannot turn into a scan of everything;
    // the page then ends early and NextBefore continues from where it stopped.
    private const int MaxScannedPerQuery = 2000;
    private const int Chunk = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private IDatabase Db => redis.GetDatabase();

    public async Task SaveAsync(FeedbackEntry entry)
    {
        var previous = await GetAsync(entry.ConversationId);
        var transaction = Db.CreateTransaction();
        var member = (RedisValue)entry.ConversationId;
        if (previous is not null)
        {
            foreach (var index in Indexes(previous).Except(Indexes(entry)))
                _ = transaction.SortedSetRemoveAsync(index, member);
        }
        _ = transaction.StringSetAsync(EntryKey(entry.ConversationId), JsonSerializer.Serialize(entry, Json));
        var score = Score(entry.RatedAt);
        foreach (var index in Indexes(entry))
            _ = transaction.SortedSetAddAsync(index, member, score);
        if (!await transaction.ExecuteAsync())
            throw new InvalidOperationException($"feedback of {entry.ConversationId} was not saved");
    }

    public async Task<FeedbackEntry?> GetAsync(string conversationId)
    {
        var json = await Db.StringGetAsync(EntryKey(conversationId));
        return json.IsNull ? null : Deserialize(json!);
    }

    public async Task<FeedbackPage> QueryAsync(FeedbackQuery query)
    {
        var index = query.AgentId is { } agent ? AgentIndex(agent)
            : query.Queue is { } queue ? QueueIndex(queue)
            : query.Score is { } score ? ScoreIndex(score)
            : AllIndex;
        var stop = query.Before is { } before ? Score(before) : double.PositiveInfinity;
        var items = new List<FeedbackEntry>();
        var scanned = 0;
        while (scanned < MaxScannedPerQuery)
        {
            var ids = await Db.SortedSetRangeByScoreWithScoresAsync(index, double.NegativeInfinity, stop, Exclude.Stop, Order.Descending, 0, Chunk);
            if (ids.Length == 0)
                return new FeedbackPage(items, null);
            var values = await Db.StringGetAsync(ids.Select(id => EntryKey(id.Element!)).ToArray());
            for (var i = 0; i < ids.Length; i++)
            {
                scanned++;
                stop = ids[i].Score;
                if (values[i].IsNull || Deserialize(values[i]!) is not { } entry || !IFeedbackStore.Matches(entry, query))
                    continue;
                // One match beyond the page says there is a next page.
                if (items.Count == query.Limit)
                    return new FeedbackPage(items, items[^1].RatedAt);
                items.Add(entry);
            }
            if (ids.Length < Chunk)
                return new FeedbackPage(items, null);
        }
        return new FeedbackPage(items, FromScore(stop));
    }

    private static IEnumerable<RedisKey> Indexes(FeedbackEntry entry)
    {
        yield return AllIndex;
        yield return QueueIndex(entry.Queue);
        yield return ScoreIndex(entry.Score);
        if (entry.AgentId is { } agent)
            yield return AgentIndex(agent);
    }

    private static double Score(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromScore(double score) => new(DateTimeOffset.UnixEpoch.UtcTicks + (long)score * 10, TimeSpan.Zero);

    private static readonly RedisKey AllIndex = "livechat:{feedback}:by-time";

    private static RedisKey QueueIndex(string queue) => $"livechat:{{feedback}}:by-queue:{queue}";

    private static RedisKey AgentIndex(string agentId) => $"livechat:{{feedback}}:by-agent:{agentId.ToLowerInvariant()}";

    private static RedisKey ScoreIndex(int score) => $"livechat:{{feedback}}:by-score:{score}";

    private static RedisKey EntryKey(string conversationId) => $"livechat:{{feedback}}:entry:{conversationId}";

    private static FeedbackEntry Deserialize(string json) =>
        JsonSerializer.Deserialize<FeedbackEntry>(json, Json) ?? throw new InvalidDataException("empty feedback entry");
}
