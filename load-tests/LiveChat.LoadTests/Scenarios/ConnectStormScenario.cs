using System.Diagnostics;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;

namespace LiveChat.LoadTests.Scenarios;

/// <param name="MemoryPerIdleConnectionKb">What the nodes' working sets grew by per connection still open, counted from the nodes warmed up.</param>
/// <param name="ColdMemoryPerIdleConnectionKb">The same counted from the nodes as started, so with what serving the first visitors costs once.</param>
public sealed record ConnectStormResult(
    int Visitors, IReadOnlyList<(string Step, LatencySummary Latency)> Steps, int Failed, int Assigned, int Queued, bool PositionsConsistent,
    double PeakMemoryMb, int StillConnected, double MemoryPerIdleConnectionKb, double ColdMemoryPerIdleConnectionKb, int ClientProcesses);

/// <summary>
/// The <c>connect-storm</c> scenario: visitors arrive on a schedule (open loop) within a few seconds. Each one opens a
/// session, connects and starts a conversation. The suite times each step, and the whole path to the first queue
/// position or agent. The queued visitors' positions must come out as 1..n, each once. With <c>connectOnly</c> the
/// visitors only connect, and are then held for a while to measure memory per idle connection. More visitors than one
/// process may hold sockets for are spread over client processes of the suite (see <see cref="StormVisitors"/>).
/// </summary>
public static class ConnectStormScenario
{
    /// <summary>Visitors per node who connect and leave before the memory is first read, so what a node does once for its first visitors (compiling, caches, pools) is not counted per connection.</summary>
    private const int WarmUpVisitors = 100;

    public static async Task<ConnectStormResult> RunAsync(
        LiveChatBackend backend, int visitors, TimeSpan within, int agents, bool connectOnly, TimeSpan hold, Action<string> progress, CancellationToken cancellationToken)
    {
        var agentConnections = await backend.ConnectAgentsAsync(agents, cancellationToken);
        var nodes = backend.NodeAddresses;
        var servers = backend.ServerProcesses;
        var processes = StormVisitors.ProcessesFor(visitors);

        var memoryCold = await SettledMb(servers, cancellationToken);
        progress($"{backend.Name}: {WarmUpVisitors} visitors a node connect and leave (warm-up)");
        await using (var warmUp = new StormVisitors(nodes, 0, 1, WarmUpVisitors * nodes.Count, TimeSpan.FromSeconds(2), connectOnly: true))
            await warmUp.ArriveAsync(DateTimeOffset.UtcNow, cancellationToken);
        var samplers = servers.Select(s => new ProcessSampler(s)).ToList();
        var memoryBefore = await SettledMb(servers, cancellationToken);

        progress($"{backend.Name}: {visitors} visitors arriving within {within.TotalSeconds:0.#} s over {nodes.Count} node(s) from {processes} client process(es), {agents} agents online");
        // Other client processes need a moment to start; all follow one schedule from the same moment.
        var startAt = DateTimeOffset.UtcNow + (processes > 1 ? TimeSpan.FromSeconds(5) : TimeSpan.Zero);
        var others = Enumerable.Range(1, processes - 1)
            .Select(p => StormClientProcess.Start(nodes, p, processes, visitors, within, connectOnly, startAt)).ToList();
        await using var mine = new StormVisitors(nodes, 0, processes, visitors, within, connectOnly);
        try
        {
            var shares = await Task.WhenAll([mine.ArriveAsync(startAt, cancellationToken), .. others.Select(o => o.Result)]);

            if (hold > TimeSpan.Zero)
            {
                progress($"{backend.Name}: holding the connections for {hold.TotalSeconds:0} s");
                await Task.Delay(hold, cancellationToken);
            }
            var memoryAfter = await SettledMb(servers, cancellationToken);
            var stillConnected = mine.StillConnected;
            foreach (var other in others)
                stillConnected += await other.StillConnectedAsync(cancellationToken);
            var peak = 0.0;
            foreach (var sampler in samplers)
            {
                await sampler.DisposeAsync();
                peak += sampler.PeakMemoryMb;
            }

            var arrived = shares.SelectMany(s => s.Visitors).ToList();
            var queuedPositions = arrived.Where(v => v.Status == ConversationStatus.Queued).Select(v => v.Position ?? 0).Order().ToList();
            var consistent = queuedPositions.SequenceEqual(Enumerable.Range(1, queuedPositions.Count));
            return new ConnectStormResult(visitors,
                [("session", Summary(arrived, v => v.SessionMicros)), ("connect", Summary(arrived, v => v.ConnectMicros)),
                 ("start conversation", connectOnly ? LatencySummary.Empty : Summary(arrived, v => v.StartMicros)),
                 (connectOnly ? "arrival to connected" : "arrival to first position", Summary(arrived, v => v.TotalMicros))],
                shares.Sum(s => s.Failed), arrived.Count(v => v.Status == ConversationStatus.Active), queuedPositions.Count, consistent, peak,
                stillConnected, ServerMemory.PerHeadKb(memoryBefore, memoryAfter, stillConnected), ServerMemory.PerHeadKb(memoryCold, memoryAfter, stillConnected),
                processes);
        }
        finally
        {
            foreach (var other in others)
                await other.DisposeAsync();
            await Task.WhenAll(agentConnections.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    /// <summary>
    /// The bare relay (<see cref="RelayBackend"/>) holding <paramref name="connections"/> idle connections, opened on the
    /// same schedule and measured the same way, warm-up included: what ASP.NET Core SignalR alone costs a connection.
    /// </summary>
    public static async Task<(double KbPerConnection, int StillConnected)> RelayIdleAsync(
        int connections, TimeSpan within, TimeSpan hold, Action<string> progress, CancellationToken cancellationToken)
    {
        await using var relay = await RelayBackend.StartAsync();
        var server = relay.ServerProcesses;
        await using (var warmUp = new HubSet())
            await warmUp.OpenAsync(relay.HubUrl, WarmUpVisitors, TimeSpan.FromSeconds(2), cancellationToken);
        var before = await SettledMb(server, cancellationToken);
        progress($"{relay.Name}: {connections} idle connections within {within.TotalSeconds:0.#} s");
        await using var held = new HubSet();
        await held.OpenAsync(relay.HubUrl, connections, within, cancellationToken);
        if (hold > TimeSpan.Zero)
            await Task.Delay(hold, cancellationToken);
        var after = await SettledMb(server, cancellationToken);
        var still = held.StillConnected;
        return (ServerMemory.PerHeadKb(before, after, still), still);
    }

    /// <summary>Plain hub connections opened on an open-loop schedule, none of which fails the run (the ones still open are counted).</summary>
    private sealed class HubSet : IAsyncDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<Microsoft.AspNetCore.SignalR.Client.HubConnection> _hubs = [];

        public async Task OpenAsync(Uri url, int count, TimeSpan within, CancellationToken cancellationToken)
        {
            var begin = Stopwatch.GetTimestamp();
            var perSecond = OpenLoop.PerSecond(count, within);
            var opening = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                await OpenLoop.WaitUntil(OpenLoop.Schedule(begin, i, perSecond), cancellationToken);
                opening.Add(Open());
            }
            await Task.WhenAll(opening);

            async Task Open()
            {
                var hub = Connections.Build(url);
                try
                {
                    await hub.StartAsync(cancellationToken);
                    _hubs.Add(hub);
                }
                catch (Exception)
                {
                    await hub.DisposeAsync();
                }
            }
        }

        public int StillConnected => _hubs.Count(h => h.State == Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected);

        public async ValueTask DisposeAsync() => await Task.WhenAll(_hubs.Select(h => h.DisposeAsync().AsTask()));
    }

    private static async Task<double> SettledMb(IReadOnlyList<Process> servers, CancellationToken cancellationToken)
    {
        var sum = 0.0;
        foreach (var server in servers)
            sum += await ServerMemory.SettledMb(server, cancellationToken);
        return sum;
    }

    private static LatencySummary Summary(IEnumerable<StormVisitor> visitors, Func<StormVisitor, long> micros)
    {
        var latency = new Latency();
        foreach (var visitor in visitors)
            latency.RecordMicros(micros(visitor));
        return latency.Summarise();
    }
}
