using System.Collections.Concurrent;
using StackExchange.Redis;

namespace LiveChat.Server.Identity;

/// <summary>
/// The signed visitor sessions already used, each remembered for as long as its signature could be accepted, so a
/// signature copied from a page or a log cannot open a second session as the same customer.
/// </summary>
public interface ISignatureLedger
{
    /// <summary>True the first time <paramref name="signature"/> is used; false for every time after, within <paramref name="keepFor"/>.</summary>
    Task<bool> TryUseAsync(string signature, TimeSpan keepFor);
}

/// <summary>In Redis, shared by every node: one key per signature, set only if absent, expiring with the signature.</summary>
public sealed class RedisSignatureLedger(IConnectionMultiplexer redis) : ISignatureLedger
{
    public Task<bool> TryUseAsync(string signature, TimeSpan keepFor) =>
        redis.GetDatabase().StringSetAsync($"livechat:{{signatures}}:{signature.ToLowerInvariant()}", 1, keepFor, When.NotExists);
}

/// <summary>On the embedded default, in this process; expired entries are swept as new ones come.</summary>
public sealed class InMemorySignatureLedger(TimeProvider time) : ISignatureLedger
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);
    private DateTimeOffset _nextSweep;

    public Task<bool> TryUseAsync(string signature, TimeSpan keepFor)
    {
        var now = time.GetUtcNow();
        if (now >= _nextSweep)
        {
            _nextSweep = now + TimeSpan.FromMinutes(1);
            foreach (var (used, until) in _used)
            {
                if (until <= now)
                    _used.TryRemove(KeyValuePair.Create(used, until));
            }
        }
        var key = signature.ToLowerInvariant();
        var added = _used.TryAdd(key, now + keepFor);
        if (!added && _used.TryGetValue(key, out var expires) && expires <= now)
            added = _used.TryUpdate(key, now + keepFor, expires);
        return Task.FromResult(added);
    }
}
