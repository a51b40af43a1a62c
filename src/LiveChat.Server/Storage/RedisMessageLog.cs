using System.Runtime.CompilerServices;
using System.Text.Json;
using LiveChat.Server.History;
using StackExchange.Redis;

namespace LiveChat.Server.Storage;

/// <summary>
/// The message log in Redis: one Redis stream per log stream (a conversation's messages; its whispers and notes)
/// whose entry ids are <c>{seq}-0</c>, so a page after a seq is one XRANGE whatever the conversation's length, plus a
/// hash from sender and client message id to seq for idempotent sends. A stream's two keys share a hash tag so the
/// append script stays on one shard.
/// </summary>
/// <param name="markForHistory">Whether an append marks its stream for the history (<see cref="RedisHistoryFeed"/>):
/// only when a history is kept (PostgreSQL configured), so that marks nobody takes never pile up.</param>
public sealed class RedisMessageLog(IConnectionMultiplexer redis, bool markForHistory = false) : IMessageLog
{
    private const string MessageField = "m";

    // Appends unless the send key is known; then returns the stored message instead. XADD with an explicit
    // id also refuses a seq that is not above the last one, so two writers can never interleave a conversation. The
    // stream is marked for the history in the same step, so no message stored is ever missing from it.
    // KEYS: the stream, the send keys' hash, the history's marks, their stamps' counter. ARGV: the send key, the seq, the
    // message, the stream's name, '1' to mark it. (Sent as EVALSHA once loaded.) The marks are one key for all streams:
    // one Redis, as everywhere here.
    private static readonly string AppendScript = $"""
        local existing = redis.call('HGET', KEYS[2], ARGV[1])
        if existing then
            local entries = redis.call('XRANGE', KEYS[1], existing .. '-0', existing .. '-0')
            return entries[1][2][2]
        end
        redis.call('XADD', KEYS[1], ARGV[2] .. '-0', 'm', ARGV[3])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        if ARGV[5] == '1' then
            {RedisHistoryFeed.Stamp(3, 4, 4)}
        end
        return false
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // A stream's two keys, made once for as long as its name lives: a conversation's grain passes the same name on every
    // append, so a message costs no key strings and no array of them (issue 18). Never changed once made.
    private static readonly ConditionalWeakTable<string, RedisKey[]> AppendKeys = new();

    private readonly RedisValue _mark = markForHistory ? "1" : "0";

    private IDatabase Db => redis.GetDatabase();

    public async Task<ChatMessage?> AppendAsync(string stream, ChatMessage message)
    {
        // Keys and arguments as they are, and the message as UTF-8 bytes: no parameter object to read by reflection, and
        // no string to encode again (issue 18).
        var keys = AppendKeys.GetValue(stream, static name => [StreamKey(name), IdsKey(name), RedisHistoryFeed.AppendedKey, RedisHistoryFeed.StampKey]);
        var result = await Db.ScriptEvaluateAsync(AppendScript, keys,
            [IMessageLog.SendKey(message.SenderId, message.ClientMessageId), message.Seq, JsonSerializer.SerializeToUtf8Bytes(message, Json), stream, _mark])
            // What follows touches no grain: it runs where Redis answered, and the grain's own await is its one way back
            // onto the grain's scheduler (each way back costs a task and a continuation; issue 18).
            .ConfigureAwait(false);
        return result.IsNull ? null : Deserialize((string)result!);
    }

    public async Task<ChatMessage?> FindAsync(string stream, string senderId, string clientMessageId)
    {
        var seq = await Db.HashGetAsync(IdsKey(stream), IMessageLog.SendKey(senderId, clientMessageId));
        if (seq.IsNull)
            return null;
        var entries = await Db.StreamRangeAsync(StreamKey(stream), minId: $"{seq}-0", maxId: $"{seq}-0");
        return entries.Length == 0 ? null : Deserialize(entries[0][MessageField]!);
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadAsync(string stream, long afterSeq, int limit)
    {
        var entries = await Db.StreamRangeAsync(StreamKey(stream), minId: $"{afterSeq + 1}-0", maxId: "+", count: limit);
        return entries.Select(e => Deserialize(e[MessageField]!)).ToList();
    }

    public async Task<long> GetLastSeqAsync(string stream)
    {
        var last = await Db.StreamRangeAsync(StreamKey(stream), minId: "-", maxId: "+", count: 1, messageOrder: Order.Descending);
        return last.Length == 0 ? 0 : long.Parse(((string)last[0].Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static RedisKey StreamKey(string stream) => $"livechat:{{conv:{stream}}}:log";

    private static RedisKey IdsKey(string stream) => $"livechat:{{conv:{stream}}}:send-keys";

    private static ChatMessage Deserialize(string json) =>
        JsonSerializer.Deserialize<ChatMessage>(json, Json) ?? throw new InvalidDataException("empty message in the log");
}
