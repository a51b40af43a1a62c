using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Scenarios;

/// <summary>
/// What a <c>steady-queue</c> run measured. <see cref="Closed"/> chats were closed in the measured window (each freeing
/// a slot for the next assignment). At the end, of the visitors whose start was answered, <see cref="Assigned"/> had
/// been assigned (an agent got the chat and the visitor heard), <see cref="StillWaiting"/> were still waiting, and the
/// rest were lost: <see cref="Untold"/> assigned without hearing it, <see cref="Unheld"/> told of an agent though no agent
/// got the chat, <see cref="Placeless"/> neither assigned nor told a place.
/// </summary>
public sealed record SteadyQueueResult(
    int Waiting, int Agents, int Rate, TimeSpan Duration, int Arrivals, IReadOnlyList<(string Step, LatencySummary Latency)> Steps,
    LatencySummary SteadyStart, int Failed, int Closed, int CloseFailures, int Assigned, int StillWaiting, int Untold, int Unheld, int Placeless,
    PlaceCheck LastKnown, int PushedBack, PushRateSummary Pushes, IReadOnlyList<long> PushesPerSecond,
    double MemoryBeforeMb, double MemoryAfterMb, double PeakMemoryMb)
{
    public double AssignmentsPerSecond => Closed / Duration.TotalSeconds;

    public int Lost => Untold + Unheld + Placeless;
}

/// <summary>
/// The <c>steady-queue</c> scenario: a queue that stays long while it moves. First enough visitors arrive for every
/// agent (one chat each) to hold one and for <c>waiting</c> more to wait; then, for the measured window, agents close
/// their chats at a set rate (all of them together), and new visitors arrive at the same rate, so the line keeps its
/// length while every place in it moves up. The suite counts the position pushes the waiting visitors receive each
/// second (they must stay bounded), times the arrivals' <c>StartConversation</c>, and checks that nobody is pushed back,
/// that the waiting visitors' last known places are 1..n, each once, and that every visitor is assigned or still waiting.
/// </summary>
public static class SteadyQueueScenario
{
    /// <summary>The queue fills at this pace, the rush (3,000 within 10 s), or at the rate when that is higher.</summary>
    public const int FillPerSecond = 300;

    // However slow the server, the run ends: a visitor not through by then is counted as failed.
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    /// <summary>
    /// After the queue stops moving: the rounds tell what is left of the noticeable news, then the settling round (2 s
    /// after the last) every stale place, each within the place budget (1,000 a second by default): a line of
    /// 10,000 that moved fast takes up to twice 10 s (docs/protocol.md 9.4).
    /// </summary>
    private static TimeSpan Settle(int waiting) => TimeSpan.FromSeconds(5 + 2 * waiting / 1000.0);

    public static async Task<SteadyQueueResult> RunAsync(
        LiveChatBackend backend, int waiting, int agents, int rate, TimeSpan duration, Action<string> progress, CancellationToken cancellationToken)
    {
        var fill = waiting + agents;
        var arrivals = fill + rate * (int)duration.TotalSeconds;
        var server = backend.ServerProcesses[0];
        var memoryBefore = await ServerMemory.SettledMb(server, cancellationToken);
        await using var sampler = new ProcessSampler(server);
        await using var staff = await Staff.OnlineAsync(backend, agents, rate, cancellationToken);
        await using var crowd = new QueueVisitors(backend, arrivals, duration + Grace + Settle(waiting));
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(fill / (double)Math.Max(rate, FillPerSecond)) + duration + Grace);

        progress($"{backend.Name}: filling the queue with {fill} visitors for {agents} agents of one chat each");
        await crowd.ArriveAsync(0, fill, Math.Max(rate, FillPerSecond), bounded.Token);
        await Task.Delay(RushScenario.Settle, cancellationToken);

        progress($"{backend.Name}: {duration.TotalSeconds:0} s of {rate} assignments and {rate} arrivals a second, about {waiting} waiting");
        var begin = Stopwatch.GetTimestamp();
        crowd.PositionPushes.StartsAt(begin);
        staff.StartClosing(begin);
        await crowd.ArriveAsync(fill, arrivals - fill, rate, bounded.Token);
        await OpenLoop.WaitUntil(begin + (long)(duration.TotalSeconds * Stopwatch.Frequency), cancellationToken);
        await staff.StopAsync();
        await Task.Delay(Settle(waiting), cancellationToken);
        var memoryAfter = await ServerMemory.SettledMb(server, cancellationToken);

        // What each visitor heard against what the agents were given.
        var started = crowd.Started;
        var fates = started.ToLookup(v => (Heard: crowd.Places.HeardAssigned(v), Got: staff.Got(crowd.Places.ConversationOf(v)!)));
        var stillWaiting = fates[(false, false)].Where(v => crowd.Places.LastKnownPlace(v) is not null).ToList();
        var seconds = (int)duration.TotalSeconds;
        return new SteadyQueueResult(waiting, agents, rate, duration, arrivals,
            [("session", crowd.Session.Summarise()), ("connect", crowd.Connect.Summarise()), ("start conversation, filling", crowd.Start.Summarise(0, fill)),
             ("start conversation, while the queue moves", crowd.Start.Summarise(fill, arrivals - fill)), ("capacity appears to next assignment", staff.CapacityToAssignment.Summarise())],
            crowd.Start.Summarise(fill, arrivals - fill), crowd.Failed, staff.Closed, staff.CloseFailures, fates[(true, true)].Count(), stillWaiting.Count,
            fates[(false, true)].Count(), fates[(true, false)].Count(), fates[(false, false)].Count() - stillWaiting.Count, PlaceCheck.Of(RushScenario.Places(stillWaiting, crowd.Places.LastKnownPlace)),
            crowd.Places.PushedBack, crowd.PositionPushes.Summarise(0, seconds), crowd.PositionPushes.PerSecond(0, seconds),
            memoryBefore, memoryAfter, sampler.PeakMemoryMb);
    }

    /// <summary>
    /// Agents online with one chat each, who keep the chats they are given until told to start closing, then close them
    /// at <c>rate</c> a second all together: each close takes the next slot of one shared open-loop schedule. Times how
    /// long an agent waits, after a close, for the next chat.
    /// </summary>
    private sealed class Staff : IAsyncDisposable
    {
        private readonly HubConnection[] _agents;
        private readonly ConcurrentDictionary<string, int> _assignedTo = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource<long> _closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();
        private readonly int _rate;
        private readonly List<Task> _workers;
        private int _nextSlot = -1, _closed, _closeFailures;

        private Staff(HubConnection[] agents, int rate)
        {
            _agents = agents;
            _rate = rate;
            var inboxes = agents.Select(_ => Channel.CreateUnbounded<ConversationView>()).ToArray();
            for (var a = 0; a < agents.Length; a++)
            {
                var (agent, inbox) = (a, inboxes[a].Writer);
                // Noted as it arrives, closes or not: a close cut short by the end of the run may still free a slot.
                agents[a].On<ConversationView>("ConversationAssigned", view =>
                {
                    _assignedTo.TryAdd(view.ConversationId, agent);
                    inbox.TryWrite(view);
                });
            }
            _workers = agents.Select((hub, a) => Task.Run(() => Serve(hub, inboxes[a].Reader))).ToList();
        }

        public Latency CapacityToAssignment { get; } = new();
        public int Closed => Volatile.Read(ref _closed);
        public int CloseFailures => Volatile.Read(ref _closeFailures);

        // Handlers go on before anyone arrives: no chat is assigned before a visitor starts one.
        public static async Task<Staff> OnlineAsync(LiveChatBackend backend, int agents, int rate, CancellationToken cancellationToken) =>
            new(await backend.ConnectAgentsAsync(agents, cancellationToken), rate);

        /// <summary>Whether an agent was given this conversation.</summary>
        public bool Got(string conversationId) => _assignedTo.ContainsKey(conversationId);

        /// <summary>From <paramref name="begin"/> (a Stopwatch timestamp) on, the agents close their chats at the rate.</summary>
        public void StartClosing(long begin) => _closing.TrySetResult(begin);

        /// <summary>No more closes: each agent keeps the chat it holds now.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
        }

        private async Task Serve(HubConnection hub, ChannelReader<ConversationView> assigned)
        {
            long? freedAt = null;
            try
            {
                while (true)
                {
                    var view = await assigned.ReadAsync(_stop.Token);
                    if (freedAt is { } freed)
                        CapacityToAssignment.Record(freed);
                    var begin = await _closing.Task.WaitAsync(_stop.Token);
                    // A refused close leaves the chat with the agent: it is counted and tried again at the next slot.
                    while (!await CloseAtNextSlot(hub, view.ConversationId, begin))
                        Interlocked.Increment(ref _closeFailures);
                    Interlocked.Increment(ref _closed);
                    freedAt = Stopwatch.GetTimestamp();
                }
            }
            catch (OperationCanceledException) { }
        }

        private async Task<bool> CloseAtNextSlot(HubConnection hub, string conversationId, long begin)
        {
            await OpenLoop.WaitUntil(OpenLoop.Schedule(begin, Interlocked.Increment(ref _nextSlot), _rate), _stop.Token);
            try
            {
                await hub.InvokeAsync<ConversationView>("CloseConversation", conversationId, _stop.Token);
                return true;
            }
            catch (HubException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            await Task.WhenAll(_agents.Select(h => h.DisposeAsync().AsTask()));
            _stop.Dispose();
        }
    }
}
