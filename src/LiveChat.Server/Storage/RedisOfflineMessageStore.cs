using System.Text.Json;
using StackExchange.Redis;

namespace LiveChat.Server.Storage;

/// <summary>
/// Offline messages in Redis, two keys per queue sharing a hash tag: each message as JSON in a hash by id, and the ids
/// in a sorted set by time received. Leaving one is an HSET and a ZADD (with the HDEL and ZREM of the one it replaces)
/// in one MULTI/EXEC; marking one handled is one HSET.
/// </summary>
public sealed class RedisOfflineMessageStore(IConnectionMultiplexer redis) : IOfflineMessageStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private IDatabase Db => redis.GetDatabase();

    public async Task<IReadOnlyList<OfflineMessage>> LoadAsync(string queue)
    {
        var order = Db.SortedSetRangeByRankAsync(OrderKey(queue), order: Order.Descending);
        var messages = Db.HashGetAllAsync(MessagesKey(queue));
        var byId = (await messages).ToDictionary(e => (string)e.Name!, e => JsonSerializer.Deserialize<OfflineMessage>((string)e.Value!, Json)!, StringComparer.Ordinal);
        return [.. (await order).Select(id => (string)id!).Where(byId.ContainsKey).Select(id => byId[id])];
    }

    public async Task SaveAsync(OfflineMessage message, string? dropped = null)
    {
        var transaction = Db.CreateTransaction();
        var writes = new List<Task>();
        if (dropped is not null)
        {
            writes.Add(transaction.HashDeleteAsync(MessagesKey(message.Queue), dropped));
            writes.Add(transaction.SortedSetRemoveAsync(OrderKey(message.Queue), dropped));
        }
        writes.Add(transaction.HashSetAsync(MessagesKey(message.Queue), message.Id, JsonSerializer.Serialize(message, Json)));
        writes.Add(transaction.SortedSetAddAsync(OrderKey(message.Queue), message.Id, message.ReceivedAt.ToUnixTimeMilliseconds()));
        if (!await transaction.ExecuteAsync())
            throw new RedisException($"offline message {message.Id} was not stored");
        await Task.WhenAll(writes);
    }

    private static string MessagesKey(string queue) => $"livechat:{{offline:{queue}}}:messages";

    private static string OrderKey(string queue) => $"livechat:{{offline:{queue}}}:received";
}
