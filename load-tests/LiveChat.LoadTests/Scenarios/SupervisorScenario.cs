using System.Diagnostics;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Scenarios;

/// <param name="Shown">From <c>StartConversation</c>'s answer until a supervisor got a push showing the probe waiting: one per probe and supervisor.</param>
/// <param name="Gone">From <c>CloseConversation</c>'s answer until a supervisor got a push showing the probe's queue empty again.</param>
/// <param name="Lag">Both together: the figure the threshold is checked against.</param>
/// <param name="Early">Sightings that came before the call that caused them had answered; they count as 0 ms.</param>
/// <param name="Missed">Sightings that did not come within <see cref="SupervisorScenario.SightingTimeout"/>.</param>
/// <param name="Measured">Each supervisor's pushes within the measured window.</param>
/// <param name="WholeRun">The same from the supervisors' connecting on: opening the conversations is the floor's busiest time.</param>
public sealed record DashboardResult(
    int Supervisors, TimeSpan Interval, int Probes, int FailedProbes, LatencySummary Shown, LatencySummary Gone, LatencySummary Lag,
    long Early, long Missed, IReadOnlyList<PushSummary> Measured, IReadOnlyList<PushSummary> WholeRun);

/// <summary>
/// The <c>supervisor</c> scenario: supervisors watch the dashboard while the <c>chat</c> load runs. About once a
/// second in the measured window a probe visitor starts a conversation in a queue no agent serves, and the suite times
/// how long after <c>StartConversation</c> answered each supervisor gets a push that shows it waiting; the probe then
/// closes it and the suite times the same until a push shows it gone. That is the lag a supervisor notices. Every push
/// is also counted by the server's time of it, to show that coalescing holds whatever the load.
/// </summary>
public static class SupervisorScenario
{
    /// <summary>How long a supervisor is given to see a probe arrive or leave before the sighting counts as missed.</summary>
    public static readonly TimeSpan SightingTimeout = TimeSpan.FromSeconds(10);

    // A probe is two changes on the floor: once a second is what a supervisor's eye follows, and adds nothing to the load.
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);

    public static async Task<(ScenarioResult Chat, DashboardResult Dashboard)> RunAsync(LiveChatBackend backend, ChatSettings settings, int supervisors,
        RunStats stats, Action<string> progress, CancellationToken cancellationToken)
    {
        var logs = Enumerable.Range(0, supervisors).Select(_ => new PushLog()).ToArray();
        var expected = new Sighting?[supervisors];
        var shown = new Latency();
        var gone = new Latency();
        var lag = new Latency();
        long early = 0, missed = 0;

        var connectedAt = DateTimeOffset.UtcNow;
        var hubs = await backend.ConnectSupervisorsAsync(supervisors, (i, view) =>
        {
            var arrivedAt = Stopwatch.GetTimestamp();
            logs[i].Received(view.At);
            Volatile.Read(ref expected[i])?.Check(view, arrivedAt);
        }, cancellationToken);
        HubConnection? visitor = null;
        try
        {
            using (var http = new HttpClient { BaseAddress = backend.BaseAddress, Timeout = TimeSpan.FromSeconds(30) })
                visitor = backend.VisitorHub(await LiveChatBackend.OpenSessionAsync(http, "Dashboard probe", cancellationToken));
            await visitor.StartAsync(cancellationToken);
            progress($"{backend.Name}: {supervisors} supervisors connected; a probe will wait in queue '{LiveChatBackend.UnattendedQueue}' once a second while the load is measured");

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var probing = ProbeAsync(visitor, stop.Token);
            ScenarioResult chat;
            try
            {
                chat = await ChatScenario.RunAsync(backend, settings, stats, progress, cancellationToken);
            }
            catch
            {
                // The load never began, or broke off: the probe may be waiting for it.
                await stop.CancelAsync();
                throw;
            }
            var (measuredFrom, probes, failedProbes) = await probing;
            var wholeRun = DateTimeOffset.UtcNow - connectedAt;
            progress($"{backend.Name}: {probes} probes, dashboard lag p99 {lag.PercentileMs(99):0.0} ms");
            return (chat, new DashboardResult(supervisors, LiveChatBackend.DashboardInterval, probes, failedProbes,
                shown.Summarise(), gone.Summarise(), lag.Summarise(), early, missed,
                logs.Select(l => l.Summarise(measuredFrom, settings.Duration)).ToList(), logs.Select(l => l.Summarise(connectedAt, wholeRun)).ToList()));
        }
        finally
        {
            await Task.WhenAll(hubs.Append(visitor).Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));
        }

        // Once a second through the measured window: start a conversation nobody takes, then close it, each time
        // until every supervisor has seen the change (or the timeout passed). Returns when measuring began, by the clock
        // the server stamps its pushes with.
        async Task<(DateTimeOffset From, int Probes, int Failed)> ProbeAsync(HubConnection probe, CancellationToken token)
        {
            var start = await stats.LoadBegun.WaitAsync(token) + (long)(settings.WarmUp.TotalSeconds * Stopwatch.Frequency);
            var end = start + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
            await OpenLoop.WaitUntil(start, token);
            var from = DateTimeOffset.UtcNow;
            int count = 0, failed = 0;
            for (var next = start; next < end; )
            {
                await OpenLoop.WaitUntil(next, token);
                next = Stopwatch.GetTimestamp() + (long)(ProbeEvery.TotalSeconds * Stopwatch.Frequency);
                count++;
                try
                {
                    var view = await WatchAsync(waiting: true, shown, () =>
                        probe.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(LiveChatBackend.UnattendedQueue), token), token);
                    await WatchAsync(waiting: false, gone, () => probe.InvokeAsync<ConversationView>("CloseConversation", view.ConversationId, token), token);
                }
                catch (Exception) when (!token.IsCancellationRequested)
                {
                    failed++;
                }
            }
            return (from, count, failed);
        }

        // Tells every supervisor's handler what to look for, makes the call, and records how long after its answer
        // each supervisor saw the change.
        async Task<T> WatchAsync<T>(bool waiting, Latency latency, Func<Task<T>> call, CancellationToken token)
        {
            var asked = DateTimeOffset.UtcNow;
            var sightings = Enumerable.Range(0, supervisors).Select(i =>
            {
                var sighting = new Sighting(waiting, asked);
                Volatile.Write(ref expected[i], sighting);
                return sighting;
            }).ToList();
            var answer = await call();
            var answeredAt = Stopwatch.GetTimestamp();
            try
            {
                await Task.WhenAll(sightings.Select(s => s.Seen)).WaitAsync(SightingTimeout, token);
            }
            catch (TimeoutException) { }
            foreach (var sighting in sightings)
            {
                if (!sighting.Seen.IsCompletedSuccessfully)
                {
                    missed++;
                    continue;
                }
                var seenAt = sighting.Seen.Result;
                if (seenAt < answeredAt)
                    early++;
                var micros = seenAt < answeredAt ? 0 : (long)Stopwatch.GetElapsedTime(answeredAt, seenAt).TotalMicroseconds;
                latency.RecordMicros(micros);
                lag.RecordMicros(micros);
            }
            return answer;
        }
    }

    /// <summary>What one supervisor waits to see: the probe's queue with someone waiting, or empty again.</summary>
    private sealed class Sighting(bool waiting, DateTimeOffset asked)
    {
        private readonly TaskCompletionSource<long> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The Stopwatch timestamp of the first push that showed it.</summary>
        public Task<long> Seen => _seen.Task;

        public void Check(DashboardView view, long arrivedAt)
        {
            // A push made before the change was asked for cannot show it, whatever its numbers say (a late one from an
            // earlier probe whose close was never seen).
            if (view.At >= asked && view.Queues.FirstOrDefault(q => q.Name == LiveChatBackend.UnattendedQueue) is { } queue && queue.Waiting > 0 == waiting)
                _seen.TrySetResult(arrivedAt);
        }
    }
}
