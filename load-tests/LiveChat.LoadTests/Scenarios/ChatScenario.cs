using System.Diagnostics;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;

namespace LiveChat.LoadTests.Scenarios;

public sealed record ChatSettings(int Conversations, int Capacity, LoadSimulation Load, TimeSpan WarmUp, TimeSpan Duration, TimeSpan Drain)
{
    /// <summary>Most messages one run may send, whatever the simulation: every message is tracked until it arrives.</summary>
    public const long MaxMessages = 10_000_000;
}

/// <param name="FirstMessages">Delivery latency of the first message of each conversation and direction; measured only without a warm-up.</param>
/// <param name="CpuPercent">Summed over the nodes, in percent of one core.</param>
/// <param name="PeakMemoryMb">Each node's peak working set, summed over the nodes.</param>
/// <param name="MemoryPerConnectionKb">NaN when the node was restarted between opening the connections and the load.</param>
/// <param name="Nodes">Each server process's own CPU and peak memory, in the order of the backend's processes.</param>
public sealed record ScenarioResult(
    string Target, long Ok, long Failed, double Rps, LatencySummary Delivery, LatencySummary Ack, LatencySummary FirstMessages,
    long Lost, long Duplicated, long OutOfOrder, double CpuPercent, double PeakMemoryMb, double MemoryPerConnectionKb,
    IReadOnlyList<TimelinePoint> Timeline, IReadOnlyList<NodeUsage> Nodes);

/// <summary>One server process's average CPU (percent of one core) and peak working set through the load.</summary>
public sealed record NodeUsage(int ProcessId, double CpuPercent, double PeakMemoryMb);

/// <summary>
/// The <c>chat</c> scenario: conversations exchange messages both ways, shaped by a <see cref="LoadSimulation"/>.
/// Open loop: each send is scheduled on a clock and latency counts from the scheduled moment, so a slow server shows
/// as latency rather than as a slower sender. Closed loop: each virtual user is one conversation whose two sides take
/// turns, the next message going out once the last one has arrived; latency counts from the actual send. Messages in
/// the warm-up are checked for delivery but not timed.
/// </summary>
public static class ChatScenario
{
    /// <summary>How long a virtual user waits for its message to arrive before it counts it as lost and goes on.</summary>
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(30);

    /// <param name="beforeLoad">Runs once the conversations are open, just before the load (cold-start restarts the node here).</param>
    public static async Task<ScenarioResult> RunAsync(IChatBackend backend, ChatSettings settings, RunStats stats, Action<string> progress,
        CancellationToken cancellationToken, Func<Task>? beforeLoad = null)
    {
        var delivery = new Delivery();
        var deliveryLatency = stats.Delivery;
        var ackLatency = new Latency();
        var firstMessages = new Latency();
        var turns = new Turn?[settings.Conversations];
        var timeline = new Timeline(settings.Duration);
        long timedFrom = long.MaxValue, ok = 0, failed = 0;

        var memoryBeforeMb = await MeasureMemory(backend.ServerProcesses);
        progress($"{backend.Name}: opening {settings.Conversations} conversations");
        await backend.OpenAsync(settings.Conversations, settings.Capacity, (pair, direction, text) =>
        {
            if (!Delivery.TryRead(text, out var number, out var sentAt))
                return;
            var arrivedAt = Stopwatch.GetTimestamp();
            delivery.Received(pair, (int)direction, number);
            stats.OnReceived();
            if (sentAt >= Volatile.Read(ref timedFrom))
            {
                var micros = (long)Stopwatch.GetElapsedTime(sentAt, arrivedAt).TotalMicroseconds;
                deliveryLatency.RecordMicros(micros);
                // Without a warm-up, each stream's first message is also the first call its conversation gets in the run.
                if (number == 1 && settings.WarmUp == TimeSpan.Zero)
                    firstMessages.RecordMicros(micros);
                timeline.Delivered(sentAt, arrivedAt);
            }
            Volatile.Read(ref turns[pair])?.Arrived((int)direction, number);
        }, cancellationToken);

        var restarted = beforeLoad is not null;
        if (beforeLoad is not null)
            await beforeLoad();

        var samplers = backend.ServerProcesses.Select(p => (p.Id, Sampler: new ProcessSampler(p))).ToList();
        await using var stopSamplers = new AsyncDisposables(samplers.Select(s => s.Sampler));
        var idleMemoryMb = await MeasureMemory(backend.ServerProcesses);
        var counters = new long[settings.Conversations, 2];
        var start = Stopwatch.GetTimestamp();
        var warmUpEnd = start + (long)(settings.WarmUp.TotalSeconds * Stopwatch.Frequency);
        var end = warmUpEnd + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        timeline.StartsAt(warmUpEnd);
        Volatile.Write(ref timedFrom, warmUpEnd);
        stats.LoadBegins(() => Level(Stopwatch.GetElapsedTime(start)));
        progress($"{backend.Name}: {settings.Load} for {settings.WarmUp.TotalSeconds:0} s warm-up + {settings.Duration.TotalSeconds:0} s");

        var unanswered = settings.Load.OpenLoop ? await OpenLoopAsync() : await ClosedLoopAsync();
        var elapsed = Stopwatch.GetElapsedTime(warmUpEnd);

        await delivery.DrainAsync(settings.Drain, cancellationToken);

        var connections = settings.Conversations + (settings.Conversations + settings.Capacity - 1) / settings.Capacity;
        var nodes = samplers.Select(s => new NodeUsage(s.Id, s.Sampler.AverageCpuPercent, s.Sampler.PeakMemoryMb)).ToList();
        return new ScenarioResult(backend.Name, ok, failed + unanswered(), ok / Math.Max(elapsed.TotalSeconds, 0.001),
            deliveryLatency.Summarise(), ackLatency.Summarise(), firstMessages.Summarise(), delivery.Lost, delivery.Duplicated, delivery.OutOfOrder,
            nodes.Sum(n => n.CpuPercent), nodes.Sum(n => n.PeakMemoryMb),
            restarted ? double.NaN : Math.Max(0, idleMemoryMb - memoryBeforeMb) * 1024 / connections, timeline.Points(), nodes);

        string Level(TimeSpan elapsed)
        {
            var level = settings.Load.LevelAt(elapsed, settings.WarmUp, settings.Duration);
            return settings.Load.OpenLoop ? $"{level:0}/s offered" : $"{level:0} users";
        }

        // Sends on the simulation's clock, whatever the answers are doing. Returns how to count the sends still
        // unanswered at the end: under overload acks lag far behind, and they are waited for no longer than the drain.
        async Task<Func<long>> OpenLoopAsync()
        {
            var total = settings.Load.TotalSends(settings.WarmUp, settings.Duration);
            var sends = new List<Task<bool>>((int)Math.Min(total, 1_000_000));
            for (long i = 0; i < total; i++)
            {
                var scheduled = start + (long)(settings.Load.SecondsUntil(i, settings.WarmUp, settings.Duration) * Stopwatch.Frequency);
                await OpenLoop.WaitUntil(scheduled, cancellationToken);
                var pair = (int)(i % settings.Conversations);
                var direction = (int)(i / settings.Conversations % 2);
                var number = ++counters[pair, direction];
                sends.Add(SendOne(pair, direction, number, scheduled));
            }
            try
            {
                await Task.WhenAll(sends).WaitAsync(settings.Drain, cancellationToken);
            }
            catch (TimeoutException)
            {
                progress($"{backend.Name}: {sends.Count(s => !s.IsCompleted)} sends still unanswered after {settings.Drain.TotalSeconds:0} s");
            }
            return () => sends.Count(s => !s.IsCompleted);
        }

        // One task per virtual user, each bound to its own conversation; a ramp brings user u in once the level passes u.
        async Task<Func<long>> ClosedLoopAsync()
        {
            await Task.WhenAll(Enumerable.Range(0, settings.Load.PeakUsers).Select(user => Task.Run(async () =>
            {
                var direction = 0;
                while (Stopwatch.GetTimestamp() is var now && now < end && stats.Sent < ChatSettings.MaxMessages)
                {
                    if (user >= settings.Load.LevelAt(Stopwatch.GetElapsedTime(start, now), settings.WarmUp, settings.Duration))
                    {
                        await Task.Delay(50, cancellationToken);
                        continue;
                    }
                    var number = ++counters[user, direction];
                    var turn = new Turn(direction, number);
                    Volatile.Write(ref turns[user], turn);
                    // A message that does not arrive in time is left to the delivery check, which counts it as lost.
                    if (await SendOne(user, direction, number, now))
                        await turn.WaitAsync(TurnTimeout, cancellationToken);
                    direction ^= 1;
                }
            }, cancellationToken)));
            return () => 0;
        }

        async Task<bool> SendOne(int pair, int direction, long number, long sentAt)
        {
            stats.OnSent();
            // Latency counts from sentAt; the lag says how much of it is the generator's own, on a machine it shares.
            timeline.Sent(sentAt, issuedAt: Stopwatch.GetTimestamp());
            try
            {
                await backend.SendAsync(pair, (Direction)direction, $"load-{direction}-{number}", Delivery.Payload(number, sentAt));
                delivery.Acked(pair, direction, number);
                stats.OnAcked();
                if (sentAt >= warmUpEnd)
                {
                    ackLatency.Record(sentAt);
                    Interlocked.Increment(ref ok);
                }
                return true;
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
                stats.OnFailed();
                timeline.Failed(sentAt);
                return false;
            }
        }
    }

    /// <summary>The servers' working sets, summed, after a moment's rest; before and after opening the connections it gives memory per idle connection.</summary>
    private static async Task<double> MeasureMemory(IReadOnlyList<Process> processes)
    {
        await Task.Delay(500);
        return processes.Sum(p =>
        {
            p.Refresh();
            return p.WorkingSet64 / 1024.0 / 1024.0;
        });
    }

    /// <summary>Disposes the samplers together when the run ends, however it ends.</summary>
    private sealed class AsyncDisposables(IEnumerable<IAsyncDisposable> items) : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _items = [.. items];

        public async ValueTask DisposeAsync()
        {
            foreach (var item in _items)
                await item.DisposeAsync();
        }
    }

    /// <summary>The message a virtual user waits for before its conversation's next turn.</summary>
    private sealed class Turn(int direction, long number)
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arrived(int arrivedDirection, long arrivedNumber)
        {
            if (arrivedDirection == direction && arrivedNumber == number)
                _arrived.TrySetResult();
        }

        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                await _arrived.Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException) { }
        }
    }
}
