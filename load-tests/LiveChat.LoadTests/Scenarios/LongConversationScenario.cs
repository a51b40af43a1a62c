using System.Diagnostics;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;

namespace LiveChat.LoadTests.Scenarios;

public sealed record LongConversationResult(int Messages, LatencySummary First, LatencySummary Last, long Lost, long Duplicated, long OutOfOrder, long Failed)
{
    /// <summary>How much slower the last hundred messages are than the first hundred, at p99.</summary>
    public double P99Growth => First.P99Ms > 0 ? Last.P99Ms / First.P99Ms : double.PositiveInfinity;
}

/// <summary>
/// The <c>long-conversation</c> scenario: one conversation driven to many thousands of messages, both ways, at a fixed
/// rate (open loop). A send must cost the same at message 10,000 as at message 1, so the last hundred messages are
/// compared with the first hundred.
/// </summary>
public static class LongConversationScenario
{
    private const int Window = 100;

    public static async Task<LongConversationResult> RunAsync(IChatBackend backend, int messages, int messagesPerSecond, Action<string> progress, CancellationToken cancellationToken)
    {
        var delivery = new Delivery();
        var scheduledAt = new long[messages + 1];
        var latencyMicros = new double[messages + 1];
        await backend.OpenAsync(1, 1, (_, direction, text) =>
        {
            if (!Delivery.TryRead(text, out var overall, out long _))
                return;
            // Numbers run across both directions; within each direction they still rise, which is all the check needs.
            delivery.Received(0, (int)direction, overall);
            if (overall is > 0 && overall <= messages)
                latencyMicros[overall] = Stopwatch.GetElapsedTime(scheduledAt[overall]).TotalMicroseconds;
        }, cancellationToken);

        progress($"{backend.Name}: {messages} messages in one conversation at {messagesPerSecond}/s");
        long failed = 0;
        var sends = new List<Task>(messages);
        var start = Stopwatch.GetTimestamp();
        for (var n = 1; n <= messages; n++)
        {
            var scheduled = OpenLoop.Schedule(start, n - 1, messagesPerSecond);
            await OpenLoop.WaitUntil(scheduled, cancellationToken);
            scheduledAt[n] = scheduled;
            var direction = (Direction)(n % 2);
            var number = n;
            sends.Add(Send(number, direction));
            if (n % 2000 == 0)
                progress($"{backend.Name}: {n} sent");
        }
        await Task.WhenAll(sends);
        await delivery.DrainAsync(TimeSpan.FromSeconds(10), cancellationToken);

        return new LongConversationResult(messages, Summarise(latencyMicros, 1), Summarise(latencyMicros, messages - Window + 1),
            delivery.Lost, delivery.Duplicated, delivery.OutOfOrder, failed);

        async Task Send(int number, Direction direction)
        {
            try
            {
                await backend.SendAsync(0, direction, $"long-{number}", Delivery.Payload(number, scheduledAt[number]));
                delivery.Acked(0, (int)direction, number);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }

    private static LatencySummary Summarise(double[] micros, int from)
    {
        var latency = new Latency();
        for (var n = from; n < from + Window && n < micros.Length; n++)
            if (micros[n] > 0)
                latency.RecordMicros((long)micros[n]);
        return latency.Summarise();
    }
}
