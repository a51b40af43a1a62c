using System.Collections.Concurrent;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hubs;

/// <summary>
/// How many visitor hub connections this node holds per visitor and per client address, capped
/// (<c>LiveChat:Limits:ConnectionsPerVisitor</c>, <c>ConnectionsPerAddress</c>): a person's tabs, or an office's
/// visitors, never come near them; a script opening sockets by the thousand does.
/// </summary>
public sealed class VisitorConnectionCaps(IOptions<LiveChatOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _byVisitor = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _byAddress = new(StringComparer.Ordinal);

    /// <summary>Counts the connection in, or refuses it in words (the connection then closes with them).</summary>
    public void Open(string visitorId, string address)
    {
        var limits = options.Value.Limits;
        if (!TryTake(_byVisitor, visitorId, limits.ConnectionsPerVisitor))
            throw new HubException($"too many open chat windows: at most {limits.ConnectionsPerVisitor} at once; close one and try again");
        if (!TryTake(_byAddress, address, limits.ConnectionsPerAddress))
        {
            Release(_byVisitor, visitorId);
            throw new HubException($"too many chat connections from your address: at most {limits.ConnectionsPerAddress} at once");
        }
    }

    public void Close(string visitorId, string address)
    {
        Release(_byVisitor, visitorId);
        Release(_byAddress, address);
    }

    private static bool TryTake(ConcurrentDictionary<string, int> counts, string key, int limit)
    {
        while (true)
        {
            var held = counts.GetValueOrDefault(key);
            if (held >= limit)
                return false;
            if (held == 0 ? counts.TryAdd(key, 1) : counts.TryUpdate(key, held + 1, held))
                return true;
        }
    }

    private static void Release(ConcurrentDictionary<string, int> counts, string key)
    {
        while (counts.TryGetValue(key, out var held))
        {
            if (held <= 1 ? counts.TryRemove(KeyValuePair.Create(key, held)) : counts.TryUpdate(key, held - 1, held))
                return;
        }
    }
}
