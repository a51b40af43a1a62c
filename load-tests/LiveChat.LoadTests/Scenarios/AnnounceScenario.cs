using System.Diagnostics;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Scenarios;

/// <summary>
/// What an <c>announce</c> run measured: of <see cref="Connected"/> visitors, <see cref="InTime"/> received the
/// announcement within <see cref="Bound"/> of the publish call and <see cref="Never"/> did not; <see cref="Delivery"/>
/// runs from the call to each push.
/// </summary>
public sealed record AnnounceResult(
    int Visitors, int Connected, int Failed, LatencySummary Session, LatencySummary Connect, LatencySummary Publish, LatencySummary Delivery,
    int InTime, int Never, int StillConnected, TimeSpan Bound, double MemoryBeforeMb, double MemoryAfterMb, double PeakMemoryMb)
{
    public double MemoryPerVisitorKb => ServerMemory.PerHeadKb(MemoryBeforeMb, MemoryAfterMb, Connected);
}

/// <summary>
/// The <c>announce</c> scenario: during an outage a supervisor tells every visitor at once. Visitors connect to the
/// visitor hub (no conversation) and listen for <c>AnnouncementPublished</c>; once all are connected, a supervisor
/// publishes one announcement, and the suite times, for each visitor, the push from the moment the call was made.
/// </summary>
public static class AnnounceScenario
{
    public static async Task<AnnounceResult> RunAsync(LiveChatBackend backend, int visitors, TimeSpan bound, Action<string> progress, CancellationToken cancellationToken)
    {
        var server = backend.ServerProcesses[0];
        var memoryBefore = await ServerMemory.SettledMb(server, cancellationToken);
        await using var sampler = new ProcessSampler(server);
        // Told apart from any other announcement by its text, unique to the run.
        var text = $"Payments are down; we are on it. (load run {Guid.NewGuid():N})";
        var session = new Latency();
        var connect = new Latency();
        var hubs = new HubConnection?[visitors];
        var receivedAt = new long[visitors];
        var failed = 0;
        using var http = new HttpClient { BaseAddress = backend.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        progress($"{backend.Name}: connecting {visitors} visitors");
        await Connections.ForEach(visitors, async i =>
        {
            try
            {
                var t = Stopwatch.GetTimestamp();
                var token = await LiveChatBackend.OpenSessionAsync(http, $"Listener {i}", cancellationToken);
                session.Record(t);
                var hub = backend.VisitorHub(token);
                hub.On<Announcement>("AnnouncementPublished", announcement =>
                {
                    if (announcement.Text == text)
                        Interlocked.CompareExchange(ref receivedAt[i], Stopwatch.GetTimestamp(), 0);
                });
                t = Stopwatch.GetTimestamp();
                await hub.StartAsync(cancellationToken);
                connect.Record(t);
                hubs[i] = hub;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
            }
        }, cancellationToken);
        var connected = hubs.Count(h => h is not null);
        var memoryAfter = await ServerMemory.SettledMb(server, cancellationToken);

        progress($"{backend.Name}: {connected} visitors connected; a supervisor publishes an announcement");
        var supervisors = await backend.ConnectSupervisorsAsync(1, (_, _) => { }, cancellationToken);
        var publish = new Latency();
        var publishedAt = Stopwatch.GetTimestamp();
        await supervisors[0].InvokeAsync<Announcement>("PublishAnnouncement", new AnnouncementRequest(text, AnnouncementSeverities.Critical, ExpiresInMinutes: 5), cancellationToken);
        publish.Record(publishedAt);
        var deadline = publishedAt + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (Arrived() < connected && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(50, cancellationToken);

        var delivery = new Latency();
        foreach (var at in receivedAt.Where(at => at != 0))
            delivery.RecordMicros((long)Stopwatch.GetElapsedTime(publishedAt, at).TotalMicroseconds);
        var inTime = receivedAt.Count(at => at != 0 && at <= deadline);
        var result = new AnnounceResult(visitors, connected, failed, session.Summarise(), connect.Summarise(), publish.Summarise(), delivery.Summarise(),
            inTime, connected - Arrived(), hubs.Count(h => h?.State == HubConnectionState.Connected), bound, memoryBefore, memoryAfter, sampler.PeakMemoryMb);
        await Task.WhenAll(hubs.Concat(supervisors).Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));
        return result;

        int Arrived() => Enumerable.Range(0, visitors).Count(i => Volatile.Read(ref receivedAt[i]) != 0);
    }
}
