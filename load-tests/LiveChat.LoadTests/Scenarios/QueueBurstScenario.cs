using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Scenarios;

public sealed record QueueBurstResult(int Visitors, int Agents, LatencySummary CapacityToAssignment, int Assigned, int AssignedTwice, int OverCapacity, int Failed);

/// <summary>
/// The <c>queue-burst</c> scenario: visitors arrive faster than agents (one chat each) free up. Each agent closes its
/// chat as soon as it has one, and the suite times how long it takes from that moment (capacity appears) until the
/// next conversation is assigned to the agent. Every visitor must be assigned exactly once, and no agent may ever hold
/// more than one chat.
/// </summary>
public static class QueueBurstScenario
{
    public static async Task<QueueBurstResult> RunAsync(LiveChatBackend backend, int visitors, int agents, TimeSpan within, Action<string> progress, CancellationToken cancellationToken)
    {
        var latency = new Latency();
        var assignedTo = new ConcurrentDictionary<string, string>();
        int assignedTwice = 0, overCapacity = 0, failed = 0;
        var connections = await backend.ConnectAgentsAsync(agents, cancellationToken);
        var inbox = connections.Select(_ => Channel.CreateUnbounded<ConversationView>()).ToArray();
        for (var a = 0; a < agents; a++)
        {
            var mine = inbox[a];
            connections[a].On<ConversationView>("ConversationAssigned", view => mine.Writer.TryWrite(view));
        }

        // The agents' side: hold one chat, close it, time how long until the next arrives.
        var done = new CancellationTokenSource();
        var workers = connections.Select((hub, a) => Task.Run(async () =>
        {
            long? freedAt = null;
            try
            {
                while (true)
                {
                    var view = await inbox[a].Reader.ReadAsync(done.Token);
                    if (freedAt is { } freed)
                        latency.Record(freed);
                    if (!assignedTo.TryAdd(view.ConversationId, view.AgentId ?? "?"))
                        Interlocked.Increment(ref assignedTwice);
                    if (inbox[a].Reader.Count > 0)
                        Interlocked.Increment(ref overCapacity);
                    await hub.InvokeAsync<ConversationView>("CloseConversation", view.ConversationId, done.Token);
                    freedAt = Stopwatch.GetTimestamp();
                }
            }
            catch (OperationCanceledException) { }
        })).ToList();

        progress($"{backend.Name}: {visitors} visitors within {within.TotalSeconds:0.#} s for {agents} agents of one chat each");
        using var http = new HttpClient { BaseAddress = backend.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var hubs = new ConcurrentBag<HubConnection>();
        var begin = Stopwatch.GetTimestamp();
        var arrivals = new List<Task>(visitors);
        for (var i = 0; i < visitors; i++)
        {
            await OpenLoop.WaitUntil(OpenLoop.Schedule(begin, i, OpenLoop.PerSecond(visitors, within)), cancellationToken);
            arrivals.Add(Arrive(i));
        }
        await Task.WhenAll(arrivals);

        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (assignedTo.Count < visitors - failed && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(50, cancellationToken);
        await done.CancelAsync();
        await Task.WhenAll(workers);
        await Task.WhenAll(hubs.Concat(connections).Select(h => h.DisposeAsync().AsTask()));
        return new QueueBurstResult(visitors, agents, latency.Summarise(), assignedTo.Count, assignedTwice, overCapacity, failed);

        async Task Arrive(int i)
        {
            try
            {
                var hub = backend.VisitorHub(await LiveChatBackend.OpenSessionAsync(http, $"Burst {i}", cancellationToken));
                await hub.StartAsync(cancellationToken);
                hubs.Add(hub);
                await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(), cancellationToken);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }
}
