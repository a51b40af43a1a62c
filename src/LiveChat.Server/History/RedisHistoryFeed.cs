using StackExchange.Redis;

namespace LiveChat.Server.History;

/// <summary>
/// The marks in Redis: one sorted set, a conversation's score counting its changes (<see cref="PendingKey"/>; the message
/// log's append script stamps it in the same step as the append), and a lease naming the node that keeps the history.
/// </summary>
public sealed class RedisHistoryFeed(IConnectionMultiplexer redis) : IHistoryFeed
{
    public const string PendingKey = "livechat:history:pending";
    private const string LeaderKey = "livechat:history:archiver";

    // KEYS: the marks. ARGV: conversation id, stamp, conversation id, stamp ... Clears those whose stamp has not moved.
    private const string ClearScript = """
        for i = 1, #ARGV, 2 do
            local stamp = redis.call('ZSCORE', KEYS[1], ARGV[i])
            if stamp and tonumber(stamp) == tonumber(ARGV[i + 1]) then
                redis.call('ZREM', KEYS[1], ARGV[i])
            end
        end
        return 0
        """;

    // KEYS: the lease. ARGV: the node, the lease in ms. Taken when free or already this node's, and renewed.
    private const string LeadScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= ARGV[1] then
            return 0
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    private IDatabase Db => redis.GetDatabase();

    public Task MarkAsync(string conversationId) => Db.SortedSetIncrementAsync(PendingKey, conversationId, 1);

    public async Task<IReadOnlyList<HistoryMark>> PendingAsync(int max) =>
        [.. (await Db.SortedSetRangeByRankWithScoresAsync(PendingKey, 0, max - 1)).Select(e => new HistoryMark(e.Element!, e.Score))];

    public async Task ClearAsync(IReadOnlyList<HistoryMark> marks)
    {
        if (marks.Count == 0)
            return;
        await Db.ScriptEvaluateAsync(ClearScript, [PendingKey], [.. marks.SelectMany(m => new RedisValue[] { m.ConversationId, m.Stamp })]);
    }

    public async Task<bool> LeadAsync(string node, TimeSpan lease) =>
        (long)await Db.ScriptEvaluateAsync(LeadScript, [LeaderKey], [node, (long)lease.TotalMilliseconds]) == 1;
}
