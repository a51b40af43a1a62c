using System.Diagnostics;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Scenarios;

public sealed record ConnectStormResult(
    int Visitors, IReadOnlyList<(string Step, LatencySummary Latency)> Steps, int Failed, int Assigned, int Queued, bool PositionsConsistent,
    double PeakMemoryMb, int StillConnected, double MemoryPerIdleConnectionKb);

/// <summary>
/// The <c>connect-storm</c> scenario: visitors arrive on a schedule (open loop) within a few seconds. Each one opens a
/// session, connects and starts a conversation. The suite times each step, and the whole path to the first queue
/// position or agent. The queued visitors' positions must come out as 1..n, each once. With <c>connectOnly</c> the
/// visitors only connect, and are then held for a while to measure memory per idle connection.
/// </summary>
public static class ConnectStormScenario
{
    public static async Task<ConnectStormResult> RunAsync(
        LiveChatBackend backend, int visitors, TimeSpan within, int agents, bool connectOnly, TimeSpan hold, Action<string> progress, CancellationToken cancellationToken)
    {
        var agentConnections = await backend.ConnectAgentsAsync(agents, cancellationToken);
        var session = new Latency();
        var connect = new Latency();
        var start = new Latency();
        var total = new Latency();
        var views = new ConversationView?[visitors];
        var hubs = new HubConnection?[visitors];
        var failed = 0;
        using var http = new HttpClient { BaseAddress = backend.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await using var sampler = new ProcessSampler(backend.ServerProcesses[0]);
        var memoryBefore = await ServerMemory.SettledMb(backend.ServerProcesses[0], cancellationToken);

        progress($"{backend.Name}: {visitors} visitors arriving within {within.TotalSeconds:0.#} s, {agents} agents online");
        var begin = Stopwatch.GetTimestamp();
        var arrivals = new List<Task>(visitors);
        for (var i = 0; i < visitors; i++)
        {
            var arrival = OpenLoop.Schedule(begin, i, Math.Max(1, (int)Math.Ceiling(visitors / within.TotalSeconds)));
            await OpenLoop.WaitUntil(arrival, cancellationToken);
            arrivals.Add(Arrive(i, arrival));
        }
        await Task.WhenAll(arrivals);

        if (hold > TimeSpan.Zero)
        {
            progress($"{backend.Name}: holding {hubs.Count(h => h is not null)} connections for {hold.TotalSeconds:0} s");
            await Task.Delay(hold, cancellationToken);
        }
        var memoryAfter = await ServerMemory.SettledMb(backend.ServerProcesses[0], cancellationToken);
        var stillConnected = hubs.Count(h => h?.State == HubConnectionState.Connected);

        var ok = views.Where(v => v is not null).Select(v => v!).ToList();
        var queuedPositions = ok.Where(v => v.Status == ConversationStatus.Queued).Select(v => v.QueuePosition ?? 0).Order().ToList();
        var consistent = queuedPositions.SequenceEqual(Enumerable.Range(1, queuedPositions.Count));
        var result = new ConnectStormResult(visitors,
            [("session", session.Summarise()), ("connect", connect.Summarise()), ("start conversation", start.Summarise()),
             (connectOnly ? "arrival to connected" : "arrival to first position", total.Summarise())],
            failed, ok.Count(v => v.Status == ConversationStatus.Active), queuedPositions.Count, consistent, sampler.PeakMemoryMb,
            stillConnected, ServerMemory.PerHeadKb(memoryBefore, memoryAfter, stillConnected));
        await Task.WhenAll(hubs.Concat(agentConnections).Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));
        return result;

        async Task Arrive(int i, long arrival)
        {
            try
            {
                var t = Stopwatch.GetTimestamp();
                var token = await LiveChatBackend.OpenSessionAsync(http, $"Storm {i}", cancellationToken);
                session.Record(t);
                t = Stopwatch.GetTimestamp();
                var hub = backend.VisitorHub(token);
                await hub.StartAsync(cancellationToken);
                hubs[i] = hub;
                connect.Record(t);
                if (!connectOnly)
                {
                    t = Stopwatch.GetTimestamp();
                    views[i] = await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(), cancellationToken);
                    start.Record(t);
                }
                total.Record(arrival);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }
}
