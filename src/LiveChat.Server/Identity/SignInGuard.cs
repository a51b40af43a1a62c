using System.Collections.Concurrent;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Identity;

/// <summary>
/// Holds back password guessing before any password is hashed (a hash is deliberately slow, so a stream of wrong
/// passwords would also load the CPU every chat needs). Two rules, counted on this node:
/// <list type="bullet">
/// <item>an address that failed <see cref="LimitsOptions.SignInFailuresPerAddress"/> times in
/// <see cref="AddressWindow"/> waits for the window to pass; its right passwords count nothing;</item>
/// <item>a username that failed from one address more than <see cref="LimitsOptions.SignInFreeFailures"/> times in a
/// row waits before the next try from that address, 1 s, then twice as long each time, up to
/// <see cref="LongestWait"/>. The right password from another address still signs in, so a guesser cannot lock a
/// person out; the right one from the same address, once the wait is over, clears the count.</item>
/// </list>
/// A person who mistypes a few times never waits; a script does, and hears how long.
/// </summary>
public sealed class SignInGuard(IOptionsMonitor<LiveChatOptions> options, TimeProvider time)
{
    public static readonly TimeSpan AddressWindow = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(5);

    // Entries left once quiet this long are swept; the dictionaries never hold more than a window's worth of guessers.
    private static readonly TimeSpan Forgotten = AddressWindow;
    private readonly ConcurrentDictionary<string, Failures> _byAddress = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string User, string Address), Failures> _byUser = new();
    private long _nextSweep;

    private LimitsOptions Limits => options.CurrentValue.Limits;

    /// <summary>How long this try must wait, or null when it may go on to check the password.</summary>
    public Refusal? Check(string username, string address)
    {
        var now = time.GetUtcNow();
        Sweep(now);
        if (_byAddress.TryGetValue(address, out var fromAddress) && fromAddress.Count(now) >= Limits.SignInFailuresPerAddress)
            return new Refusal($"too many failed sign-ins from your address: at most {Limits.SignInFailuresPerAddress} in {AddressWindow.TotalMinutes:0} minutes",
                fromAddress.WindowEnds - now);
        if (_byUser.TryGetValue((Key(username), address), out var forUser) && forUser.WaitUntil > now)
            return new Refusal($"too many failed sign-ins for {username}: wait before trying again", forUser.WaitUntil - now);
        return null;
    }

    public void Failed(string username, string address)
    {
        var now = time.GetUtcNow();
        _byAddress.GetOrAdd(address, _ => new Failures()).Add(now, AddressWindow);
        var forUser = _byUser.GetOrAdd((Key(username), address), _ => new Failures());
        forUser.Add(now, Forgotten);
        var beyond = forUser.InARow - Limits.SignInFreeFailures;
        if (beyond > 0)
            forUser.WaitUntil = now + TimeSpan.FromTicks(Math.Min(LongestWait.Ticks, TimeSpan.FromSeconds(1).Ticks << Math.Min(beyond - 1, 20)));
    }

    public void Succeeded(string username, string address) => _byUser.TryRemove((Key(username), address), out _);

    private static string Key(string username) => username.Trim().ToLowerInvariant();

    private void Sweep(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweep, (now + TimeSpan.FromMinutes(1)).UtcTicks, due) != due)
            return;
        foreach (var (key, failures) in _byAddress)
        {
            if (failures.LastAt < now - Forgotten)
                _byAddress.TryRemove(key, out _);
        }
        foreach (var (key, failures) in _byUser)
        {
            if (failures.LastAt < now - Forgotten && failures.WaitUntil < now)
                _byUser.TryRemove(key, out _);
        }
    }

    public sealed record Refusal(string Reason, TimeSpan RetryAfter);

    /// <summary>Failures within a window (a fixed one, started by the first), and how many in a row.</summary>
    private sealed class Failures
    {
        private int _count;

        public DateTimeOffset WindowEnds { get; private set; }
        public DateTimeOffset LastAt { get; private set; }
        public int InARow { get; private set; }
        public DateTimeOffset WaitUntil { get; set; }

        public int Count(DateTimeOffset now)
        {
            lock (this)
                return now < WindowEnds ? _count : 0;
        }

        public void Add(DateTimeOffset now, TimeSpan window)
        {
            lock (this)
            {
                if (now >= WindowEnds)
                    (_count, WindowEnds) = (0, now + window);
                _count++;
                InARow++;
                LastAt = now;
            }
        }
    }
}
