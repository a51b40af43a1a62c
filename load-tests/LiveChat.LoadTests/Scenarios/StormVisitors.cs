using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Scenarios;

/// <summary>
/// One process's share of a <c>connect-storm</c>: visitor <c>i</c> of the storm belongs to process <c>i % processes</c>
/// and connects to node <c>i % nodes</c>, arriving on the storm's one open-loop schedule. A process of this machine may
/// hold only so many sockets (<see cref="OpenFilesLimit"/>), so a storm of more visitors than that spreads its clients
/// over processes of the suite (<c>storm-clients</c>) and its connections over nodes.
/// </summary>
public sealed class StormVisitors(IReadOnlyList<Uri> nodes, int process, int processes, int visitors, TimeSpan within, bool connectOnly) : IAsyncDisposable
{
    private readonly ConcurrentBag<HubConnection> _hubs = [];
    private readonly ConcurrentBag<StormVisitor> _arrived = [];
    private int _failed;

    /// <summary>Visitors one client process holds at most: well inside a process's open files here (20,000).</summary>
    public const int PerProcess = 10_000;

    /// <summary>Client processes a storm of <paramref name="visitors"/> takes: one for each <see cref="PerProcess"/>.</summary>
    public static int ProcessesFor(int visitors) => (visitors + PerProcess - 1) / PerProcess;

    /// <summary>Arrives every visitor of this share on the storm's schedule, which starts at <paramref name="startAt"/> in every process.</summary>
    public async Task<StormShare> ArriveAsync(DateTimeOffset startAt, CancellationToken cancellationToken)
    {
        var begin = OpenLoop.TimestampOf(startAt);
        var perSecond = OpenLoop.PerSecond(visitors, within);
        var https = nodes.Select(n => new HttpClient { BaseAddress = n, Timeout = TimeSpan.FromSeconds(60) }).ToArray();
        try
        {
            var arrivals = new List<Task>();
            for (var i = process; i < visitors; i += processes)
            {
                var arrival = OpenLoop.Schedule(begin, i, perSecond);
                await OpenLoop.WaitUntil(arrival, cancellationToken);
                arrivals.Add(Arrive(i, arrival));
            }
            await Task.WhenAll(arrivals);
        }
        finally
        {
            foreach (var http in https)
                http.Dispose();
        }
        return new StormShare(_failed, [.. _arrived]);

        async Task Arrive(int i, long arrival)
        {
            try
            {
                var node = i % nodes.Count;
                var t = Stopwatch.GetTimestamp();
                var token = await LiveChatBackend.OpenSessionAsync(https[node], $"Storm {i}", cancellationToken);
                var session = Micros(t);
                t = Stopwatch.GetTimestamp();
                var hub = Connections.Build(new Uri(nodes[node], "/hubs/visitor"), token);
                await hub.StartAsync(cancellationToken);
                _hubs.Add(hub);
                var connect = Micros(t);
                long start = 0;
                ConversationView? view = null;
                if (!connectOnly)
                {
                    t = Stopwatch.GetTimestamp();
                    view = await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(), cancellationToken);
                    start = Micros(t);
                }
                _arrived.Add(new StormVisitor(session, connect, start, Micros(arrival), view?.Status, view?.QueuePosition));
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }

    public int StillConnected => _hubs.Count(h => h.State == HubConnectionState.Connected);

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(_hubs.Select(h => h.DisposeAsync().AsTask()));

    private static long Micros(long since) => (long)Stopwatch.GetElapsedTime(since).TotalMicroseconds;

    /// <summary>
    /// The most files (sockets among them) a process may hold open here, from <c>/proc/self/limits</c>; a node and a client
    /// process each need one per visitor. <see cref="int.MaxValue"/> where the limit cannot be read.
    /// </summary>
    public static int OpenFilesLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return int.TryParse(soft, out var limit) ? limit : int.MaxValue;
        }
        catch (IOException)
        {
            return int.MaxValue;
        }
    }
}

/// <summary>One visitor's steps, in microseconds (start 0 when only connecting), and their conversation's status and place.</summary>
public sealed record StormVisitor(long SessionMicros, long ConnectMicros, long StartMicros, long TotalMicros, ConversationStatus? Status, int? Position);

/// <summary>What one process's share of the storm saw, sent by a client process to the suite as one line of JSON.</summary>
public sealed record StormShare(int Failed, IReadOnlyList<StormVisitor> Visitors)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
