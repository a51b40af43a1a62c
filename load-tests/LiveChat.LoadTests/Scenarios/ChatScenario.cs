using System.Diagnostics;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;

namespace LiveChat.LoadTests.Scenarios;

public sealed record ChatSettings(int Conversations, int Capacity, int MessagesPerSecond, TimeSpan WarmUp, TimeSpan Duration, TimeSpan Drain);

public sealed record ScenarioResult(
    string Target, long Ok, long Failed, double Rps, LatencySummary Delivery, LatencySummary Ack,
    long Lost, long Duplicated, long OutOfOrder, double CpuPercent, double PeakMemoryMb, double MemoryPerConnectionKb);

/// <summary>
/// The <c>chat</c> scenario: conversations exchange messages both ways at a fixed total rate. Open loop: each send
/// is scheduled on a clock and latency counts from the scheduled moment, so a slow server shows as latency rather
/// than as a slower sender. Messages in the warm-up are checked for delivery but not timed.
/// </summary>
public static class ChatScenario
{
    public static async Task<ScenarioResult> RunAsync(IChatBackend backend, ChatSettings settings, Action<string> progress, CancellationToken cancellationToken)
    {
        var delivery = new Delivery();
        var deliveryLatency = new Latency();
        var ackLatency = new Latency();
        long timedFrom = long.MaxValue, ok = 0, failed = 0;

        var memoryBeforeMb = await MeasureMemory(backend.ServerProcess);
        progress($"{backend.Name}: opening {settings.Conversations} conversations");
        await backend.OpenAsync(settings.Conversations, settings.Capacity, (pair, direction, text) =>
        {
            if (!Delivery.TryRead(text, out var number, out var scheduled))
                return;
            delivery.Received(pair, (int)direction, number);
            if (scheduled >= Volatile.Read(ref timedFrom))
                deliveryLatency.Record(scheduled);
        }, cancellationToken);

        await using var sampler = new ProcessSampler(backend.ServerProcess);
        var idleMemoryMb = await MeasureMemory(backend.ServerProcess);
        var counters = new long[settings.Conversations, 2];
        var total = (long)(settings.MessagesPerSecond * (settings.WarmUp + settings.Duration).TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        var warmUpEnd = start + (long)(settings.WarmUp.TotalSeconds * Stopwatch.Frequency);
        Volatile.Write(ref timedFrom, warmUpEnd);
        var sends = new List<Task>((int)Math.Min(total, 1_000_000));
        progress($"{backend.Name}: {settings.MessagesPerSecond} messages/s for {settings.WarmUp.TotalSeconds:0} s warm-up + {settings.Duration.TotalSeconds:0} s");

        for (long i = 0; i < total; i++)
        {
            var scheduled = OpenLoop.Schedule(start, i, settings.MessagesPerSecond);
            await OpenLoop.WaitUntil(scheduled, cancellationToken);
            var pair = (int)(i % settings.Conversations);
            var direction = (int)(i / settings.Conversations % 2);
            var number = ++counters[pair, direction];
            sends.Add(SendOne(pair, direction, number, scheduled));
        }
        await Task.WhenAll(sends);
        var elapsed = Stopwatch.GetElapsedTime(warmUpEnd);

        await delivery.DrainAsync(settings.Drain, cancellationToken);

        var connections = settings.Conversations + (settings.Conversations + settings.Capacity - 1) / settings.Capacity;
        return new ScenarioResult(backend.Name, ok, failed, ok / Math.Max(elapsed.TotalSeconds, 0.001),
            deliveryLatency.Summarise(), ackLatency.Summarise(), delivery.Lost, delivery.Duplicated, delivery.OutOfOrder,
            sampler.AverageCpuPercent, sampler.PeakMemoryMb, Math.Max(0, idleMemoryMb - memoryBeforeMb) * 1024 / connections);

        async Task SendOne(int pair, int direction, long number, long scheduled)
        {
            try
            {
                await backend.SendAsync(pair, (Direction)direction, $"load-{direction}-{number}", Delivery.Payload(number, scheduled));
                delivery.Acked(pair, direction, number);
                if (scheduled >= warmUpEnd)
                {
                    ackLatency.Record(scheduled);
                    Interlocked.Increment(ref ok);
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }

    /// <summary>The server's working set after a moment's rest; before and after opening the connections it gives memory per idle connection.</summary>
    private static async Task<double> MeasureMemory(Process process)
    {
        await Task.Delay(500);
        process.Refresh();
        return process.WorkingSet64 / 1024.0 / 1024.0;
    }
}
