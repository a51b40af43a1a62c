using System.Diagnostics;
using LiveChat.LoadTests.Targets;
using StackExchange.Redis;

namespace LiveChat.LoadTests.Scenarios;

public enum FaultKind
{
    /// <summary>Requests reach Redis, its answers to the nodes are lost, then every node–Redis connection is reset (<see cref="FaultProxy"/>).</summary>
    LoseReplies,

    /// <summary>Redis answers no client for a while (<c>CLIENT PAUSE ALL</c>), then serves what waited.</summary>
    PauseRedis,

    /// <summary>redis-server killed -9 and started again on the same port and append-only file.</summary>
    KillRedis,

    /// <summary>A node killed -9 and started again on the same ports; its clients move to another node meanwhile.</summary>
    KillNode,
}

/// <summary>One fault as it happened, in Stopwatch timestamps (and UTC, to find it in the node logs).</summary>
/// <param name="End">When the fault was over: the window closed, or what was killed answers again.</param>
/// <param name="Failed">Why the fault could not be brought or undone (what was killed did not come back), or null.</param>
public sealed record FaultWindow(int Number, FaultKind Kind, string What, long Start, long End, DateTime StartUtc, DateTime EndUtc, string? Failed = null)
{
    public TimeSpan Length => Stopwatch.GetElapsedTime(Start, End);
}

public static class FaultKinds
{
    public static readonly IReadOnlyList<FaultKind> All = [FaultKind.LoseReplies, FaultKind.PauseRedis, FaultKind.KillRedis, FaultKind.KillNode];

    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.LoseReplies => "lose-replies",
        FaultKind.PauseRedis => "pause",
        FaultKind.KillRedis => "kill-redis",
        FaultKind.KillNode => "kill-node",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Reads <c>lose-replies,pause,...</c>; the error names the accepted words.</summary>
    public static bool TryParse(string text, out IReadOnlyList<FaultKind> kinds, out string error)
    {
        var parsed = new List<FaultKind>();
        foreach (var word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var known = All.Where(k => Name(k) == word).ToList();
            if (known.Count == 0)
            {
                (kinds, error) = ([], $"unknown fault '{word}': use {string.Join(", ", All.Select(Name))}");
                return false;
            }
            parsed.Add(known[0]);
        }
        (kinds, error) = (parsed.Distinct().ToList(), parsed.Count == 0 ? "name at least one fault" : "");
        return parsed.Count > 0;
    }
}

/// <summary>
/// Brings each kind of fault on the nodes under test: through the <see cref="FaultProxy"/> the nodes reach Redis by,
/// on the Redis itself, or on a node process. Each returns once the fault is over.
/// </summary>
public sealed class FaultInjector(FaultProxy proxy, RedisServer? ownRedis, string redisAddress, LiveChatBackend backend, Action<string> log)
{
    private int _nodeKills;

    /// <summary>What this run can do: Redis is killed only when the suite started it, and a node only when another one carries on.</summary>
    public static IReadOnlyList<FaultKind> Possible(bool ownRedis, int nodes) =>
        FaultKinds.All.Where(k => k switch
        {
            FaultKind.KillRedis => ownRedis,
            FaultKind.KillNode => nodes > 1,
            _ => true,
        }).ToList();

    public async Task<FaultWindow> InjectAsync(int number, FaultKind kind, TimeSpan length, CancellationToken cancellationToken)
    {
        var (start, startUtc) = (Stopwatch.GetTimestamp(), DateTime.UtcNow);
        var seconds = FormattableString.Invariant($"{length.TotalSeconds:0.#} s");
        var what = FaultKinds.Name(kind);
        string? failed = null;
        try
        {
            what = await BringAsync(number, kind, length, seconds, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            failed = $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
            log($"fault {number} FAILED: {failed}");
        }
        var window = new FaultWindow(number, kind, what, start, Stopwatch.GetTimestamp(), startUtc, DateTime.UtcNow, failed);
        log(FormattableString.Invariant($"fault {number} over after {window.Length.TotalSeconds:0.0} s"));
        return window;
    }

    private async Task<string> BringAsync(int number, FaultKind kind, TimeSpan length, string seconds, CancellationToken cancellationToken)
    {
        string what;
        switch (kind)
        {
            case FaultKind.LoseReplies:
                what = $"Redis's replies to the nodes lost for {seconds} (requests still applied), then every node–Redis connection reset";
                log($"fault {number}: {what}");
                await proxy.LoseReplies(length, cancellationToken);
                break;
            case FaultKind.PauseRedis:
                what = $"Redis paused for {seconds} (CLIENT PAUSE ALL)";
                log($"fault {number}: {what}");
                // Together: the admin connection's own goodbye waits out the pause too.
                await Task.WhenAll(PauseAsync(length), Task.Delay(length, cancellationToken));
                break;
            case FaultKind.KillRedis:
                what = $"redis-server killed -9, started again {seconds} later on the same port and append-only file";
                log($"fault {number}: {what}");
                ownRedis!.Kill();
                await Task.Delay(length, cancellationToken);
                await ownRedis.StartAsync();
                break;
            case FaultKind.KillNode:
                // From the last node back, so a two-node run loses each node in turn.
                var victim = backend.NodeAddresses.Count - 1 - _nodeKills++ % backend.NodeAddresses.Count;
                what = $"node {victim + 1} killed -9, started again {seconds} later on the same ports";
                log($"fault {number}: {what}");
                await backend.KillNodeAsync(victim);
                await Task.Delay(length, cancellationToken);
                await backend.StartNodeAsync(victim);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        return what;
    }

    private async Task PauseAsync(TimeSpan length)
    {
        if (ownRedis is not null)
        {
            await ownRedis.PauseAsync(length);
            return;
        }
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redisAddress},allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", ((long)length.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL");
    }
}
