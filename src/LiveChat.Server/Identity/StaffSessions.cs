using System.Collections.Concurrent;
using StackExchange.Redis;

namespace LiveChat.Server.Identity;

/// <summary>
/// Each staff user's token version: signing out raises it, and every token made before (on any device) is refused from
/// then on. Kept in Redis for every node (memory on the embedded default).
/// </summary>
public interface IStaffVersionStore
{
    Task<IReadOnlyDictionary<string, long>> AllAsync();

    /// <summary>Raises the user's version; returns the new one.</summary>
    Task<long> RaiseAsync(string user);
}

public sealed class RedisStaffVersionStore(IConnectionMultiplexer redis) : IStaffVersionStore
{
    private const string Key = "livechat:{staff}:token-versions";

    public async Task<IReadOnlyDictionary<string, long>> AllAsync() =>
        (await redis.GetDatabase().HashGetAllAsync(Key)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal);

    public Task<long> RaiseAsync(string user) => redis.GetDatabase().HashIncrementAsync(Key, user);
}

public sealed class InMemoryStaffVersionStore : IStaffVersionStore
{
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, long>> AllAsync() => Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(_versions));

    public Task<long> RaiseAsync(string user) => Task.FromResult(_versions.AddOrUpdate(user, 1, (_, v) => v + 1));
}

/// <summary>
/// What this node knows of staff sessions: the token versions (read again from the store every
/// <c>LiveChat:Auth:UserCheckSeconds</c>, and at once when someone signs out here), and how long a session may last
/// from its sign-in however often it is renewed (<c>LiveChat:Auth:SessionHours</c>).
/// </summary>
public sealed class StaffSessions(IStaffVersionStore store, ILogger<StaffSessions> logger)
{
    private volatile IReadOnlyDictionary<string, long>? _versions;

    public long VersionOf(string user) => _versions?.GetValueOrDefault(user) ?? 0;

    /// <summary>The user's version, once the versions have been read from the store at least once.</summary>
    public async ValueTask<long> CurrentVersion(string user)
    {
        if (_versions is null)
            await Refresh();
        return VersionOf(user);
    }

    /// <summary>Whether a token of <paramref name="user"/> at <paramref name="version"/> still stands.</summary>
    public async ValueTask<bool> StillSignedIn(string user, long version) => version >= await CurrentVersion(user);

    /// <summary>Only the versions this node has read: for checks that must not wait (each hub call).</summary>
    public bool KnownSignedIn(string user, long version) => version >= VersionOf(user);

    public async Task SignOut(string user)
    {
        var version = await store.RaiseAsync(user);
        var known = new Dictionary<string, long>(_versions ?? new Dictionary<string, long>(), StringComparer.Ordinal) { [user] = version };
        _versions = known;
        logger.LogInformation("{User} signed out: every token made before is refused", user);
    }

    public async Task Refresh()
    {
        try
        {
            _versions = await store.AllAsync();
        }
        catch (Exception ex)
        {
            // The last versions read stand meanwhile; the next round tries again.
            logger.LogWarning("Could not read the staff token versions: {Error}", ex.Message);
            _versions ??= new Dictionary<string, long>();
        }
    }
}
