namespace LiveChat.LoadTests.Targets;

internal static class Connections
{
    /// <summary>A hub connection (not started) over WebSockets without negotiation, as every client of the suite connects.</summary>
    public static HubConnection Build(Uri url, string? token = null) => HubConnections.Build(url, token, webSocketsOnly: true);

    /// <summary>Runs <paramref name="open"/> for 0..count-1 with bounded parallelism, so a storm of connects does not time out.</summary>
    public static Task ForEach(int count, Func<int, Task> open, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (i, _) => await open(i));
}
