using System.Globalization;
using System.Text.Json;
using LiveChat.Server.Routing;
using StackExchange.Redis;

namespace LiveChat.Server.Storage;

/// <summary>
/// The queue store in Redis, four keys per queue sharing a hash tag: the line as a sorted set (score: the order), its
/// entries in a hash, the notices in a hash (each value its send order, then the notice), and the hand-backs taken as
/// a sorted set by time, trimmed to <see cref="IQueueStore.HandBacksKeptFor"/>. A change is one MULTI/EXEC, whose
/// commands each touch only the conversations that changed: an arrival is a ZADD and an HSET, whatever the length.
/// </summary>
public sealed class RedisQueueStore(IConnectionMultiplexer redis, TimeProvider time) : IQueueStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private IDatabase Db => redis.GetDatabase();

    public async Task<StoredQueue> LoadAsync(string queue)
    {
        var line = Db.SortedSetRangeByRankWithScoresAsync(LineKey(queue));
        var entries = Db.HashGetAllAsync(EntriesKey(queue));
        var notices = Db.HashGetAllAsync(NoticesKey(queue));
        var byId = (await entries).ToDictionary(e => (string)e.Name!, e => Deserialize<QueueEntry>(e.Value!), StringComparer.Ordinal);
        var waiting = (await line)
            .Where(p => byId.ContainsKey((string)p.Element!))
            .Select(p => (byId[(string)p.Element!], (long)p.Score))
            .ToList();
        var pending = (await notices)
            .Select(n => ((string)n.Value!).Split('|', 2))
            .OrderBy(parts => long.Parse(parts[0], CultureInfo.InvariantCulture))
            .Select(parts => Deserialize<PendingNotice>(parts[1]))
            .ToList();
        return new StoredQueue(waiting, pending);
    }

    public async Task<bool> TookHandBackAsync(string queue, string handBackId) =>
        await Db.SortedSetScoreAsync(HandBacksKey(queue), handBackId) is not null;

    public async Task ApplyAsync(string queue, IReadOnlyList<QueueChange> changes)
    {
        if (changes.All(c => c.IsEmpty))
            return;
        var transaction = Db.CreateTransaction();
        var writes = new List<Task>();
        var now = time.GetUtcNow();
        // Sent in this order: the order a later activation sends them in.
        var sent = WaitingLine.OrderOf(now);
        foreach (var change in changes)
            sent = Queue(transaction, writes, queue, change, now, sent);
        if (!await transaction.ExecuteAsync())
            throw new RedisException($"the change to queue {queue} was not applied");
        await Task.WhenAll(writes);
    }

    /// <summary>One change's commands, in the transaction; returns the send order of the next notice.</summary>
    private static long Queue(ITransaction transaction, List<Task> writes, string queue, QueueChange change, DateTimeOffset now, long sent)
    {
        if (change.Line.LeftIds.Count > 0)
        {
            var left = change.Line.LeftIds.Select(id => (RedisValue)id).ToArray();
            writes.Add(transaction.SortedSetRemoveAsync(LineKey(queue), left));
            writes.Add(transaction.HashDeleteAsync(EntriesKey(queue), left));
        }
        if (change.Line.JoinedEntries.Count > 0)
        {
            writes.Add(transaction.SortedSetAddAsync(LineKey(queue),
                change.Line.JoinedEntries.Select(j => new SortedSetEntry(j.Entry.ConversationId, j.Order)).ToArray()));
            writes.Add(transaction.HashSetAsync(EntriesKey(queue),
                change.Line.JoinedEntries.Select(j => new HashEntry(j.Entry.ConversationId, JsonSerializer.Serialize(j.Entry, Json))).ToArray()));
        }
        if (change.NoticesAdded.Count > 0)
        {
            writes.Add(transaction.HashSetAsync(NoticesKey(queue), change.NoticesAdded
                .Select((n, i) => new HashEntry(n.Id, $"{(sent + i).ToString(CultureInfo.InvariantCulture)}|{JsonSerializer.Serialize(n, Json)}"))
                .ToArray()));
        }
        if (change.NoticesStruck.Count > 0)
            writes.Add(transaction.HashDeleteAsync(NoticesKey(queue), change.NoticesStruck.Select(id => (RedisValue)id).ToArray()));
        if (change.HandBackId is { } handBack)
        {
            writes.Add(transaction.SortedSetAddAsync(HandBacksKey(queue), handBack, now.ToUnixTimeSeconds()));
            writes.Add(transaction.SortedSetRemoveRangeByScoreAsync(HandBacksKey(queue),
                double.NegativeInfinity, (now - IQueueStore.HandBacksKeptFor).ToUnixTimeSeconds(), Exclude.Stop));
        }
        return sent + change.NoticesAdded.Count;
    }

    private static RedisKey LineKey(string queue) => $"livechat:{{queue:{queue}}}:line";

    private static RedisKey EntriesKey(string queue) => $"livechat:{{queue:{queue}}}:entries";

    private static RedisKey NoticesKey(string queue) => $"livechat:{{queue:{queue}}}:notices";

    private static RedisKey HandBacksKey(string queue) => $"livechat:{{queue:{queue}}}:hand-backs";

    private static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"an empty {typeof(T).Name} in a queue's store");
}
