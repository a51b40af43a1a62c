using System.Text.Json;
using StackExchange.Redis;

namespace LiveChat.Server.Storage;

/// <summary>
/// The message log in Redis: one Redis stream per log stream (a conversation's messages; its whispers and notes)
/// whose entry ids are <c>{seq}-0</c>, so a page after a seq is one XRANGE whatever the conversation's length, plus a
/// hash from sender and client message id to seq for idempotent sends. A stream's two keys share a hash tag so the
/// append script stays on one shard.
/// </summary>
public sealed class RedisMessageLog(IConnectionMultiplexer redis) : IMessageLog
{
    private const string MessageField = "m";

    // Appends unless the send key is known; then returns the stored message instead. XADD with an explicit
    // id also refuses a seq that is not above the last one, so two writers can never interleave a conversation.
    private static readonly LuaScript AppendScript = LuaScript.Prepare("""
        local existing = redis.call('HGET', @ids, @sendKey)
        if existing then
            local entries = redis.call('XRANGE', @stream, existing .. '-0', existing .. '-0')
            return entries[1][2][2]
        end
        redis.call('XADD', @stream, @seq .. '-0', 'm', @message)
        redis.call('HSET', @ids, @sendKey, @seq)
        return false
        """);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private IDatabase Db => redis.GetDatabase();

    public async Task<ChatMessage?> AppendAsync(string stream, ChatMessage message)
    {
        var result = await Db.ScriptEvaluateAsync(AppendScript, new
        {
            stream = StreamKey(stream),
            ids = IdsKey(stream),
            sendKey = IMessageLog.SendKey(message.SenderId, message.ClientMessageId),
            seq = message.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            message = JsonSerializer.Serialize(message, Json),
        });
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
