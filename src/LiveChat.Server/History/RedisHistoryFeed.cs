using StackExchange.Redis;

namespace LiveChat.Server.History;

/// <summary>
/// The marks in Redis: two sorted sets, conversations whose state was written (<see cref="ChangedKey"/>) and log streams
/// appended to (<see cref="AppendedKey"/>, stamped by the message log's append script in the same step as the append),
/// each scored with the next number of one counter (<see cref="StampKey"/>): a stamp never repeats, so a mark cleared and
/// made again is never taken for the one read before, and the oldest marks come first. And a lease naming the node that
/// keeps the history.
/// </summary>
public sealed class RedisHistoryFeed(IConnectionMultiplexer redis) : IHistoryFeed
{
    public const string ChangedKey = "livechat:history:changed";
    public const string AppendedKey = "livechat:history:appended";
    public const string StampKey = "livechat:history:stamp";
    private const string LeaderKey = "livechat:history:archiver";

    /// <summary>The Lua that stamps member <c>ARGV[n]</c> of set <c>KEYS[k]</c> with the counter <c>KEYS[c]</c>; shared with the append script.</summary>
    public static string Stamp(int k, int c, int n) => $"redis.call('ZADD', KEYS[{k}], redis.call('INCR', KEYS[{c}]), ARGV[{n}])";

    private static readonly string MarkScript = Stamp(1, 2, 1);

    // KEYS: a set of marks. ARGV: member, stamp, member, stamp ... Clears those whose stamp has not moved.
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

    public Task MarkAsync(string conversationId) => Db.ScriptEvaluateAsync(MarkScript, [ChangedKey, StampKey], [conversationId]);

    public async Task<HistoryMarks> PendingAsync(int max)
    {
        var conversations = Db.SortedSetRangeByRankWithScoresAsync(ChangedKey, 0, max - 1);
        var streams = Db.SortedSetRangeByRankWithScoresAsync(AppendedKey, 0, max - 1);
        return new HistoryMarks(Marks(await conversations), Marks(await streams));
    }

    public Task ClearAsync(HistoryMarks marks) => Task.WhenAll(Clear(ChangedKey, marks.Conversations), Clear(AppendedKey, marks.Streams));

    private static List<HistoryMark> Marks(SortedSetEntry[] entries) => [.. entries.Select(e => new HistoryMark(e.Element!, e.Score))];

    private Task Clear(RedisKey key, IReadOnlyList<HistoryMark> marks) => marks.Count == 0
        ? Task.CompletedTask
        : Db.ScriptEvaluateAsync(ClearScript, [key], [.. marks.SelectMany(m => new RedisValue[] { m.Key, m.Stamp })]);

    public Task ReleaseAsync(string node) => Db.ScriptEvaluateAsync(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 0", [LeaderKey], [node]);

    public async Task<bool> LeadAsync(string node, TimeSpan lease) =>
        (long)await Db.ScriptEvaluateAsync(LeadScript, [LeaderKey], [node, (long)lease.TotalMilliseconds]) == 1;
}
