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
    int InTime, int Never, int StillConnected, TimeSpan Bound, double MemoryBeforeMb, double MemoryAfterMb, double PeakMemoryMb,
    LatencySummary? RelayDelivery = null, int RelayNever = 0)
{
    public double MemoryPerVisitorKb => ServerMemory.PerHeadKb(MemoryBeforeMb, MemoryAfterMb, Connected);

    /// <summary>LiveChat's delivery p99 against the bare relay's broadcast to as many connections, in the same run.</summary>
    public double? RelayRatio => RelayDelivery is { P99Ms: > 0 } relay ? Delivery.P99Ms / relay.P99Ms : null;
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
        var (delivery, inTime, never) = await Deliveries(publishedAt, receivedAt, connected, bound, cancellationToken);
        var result = new AnnounceResult(visitors, connected, failed, session.Summarise(), connect.Summarise(), publish.Summarise(), delivery,
            inTime, never, hubs.Count(h => h?.State == HubConnectionState.Connected), bound, memoryBefore, memoryAfter, sampler.PeakMemoryMb);
        await Task.WhenAll(hubs.Concat(supervisors).Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));
        return result;
    }

    /// <summary>
    /// The same broadcast through the bare relay, to as many plain connections, on the same machine: what one message
    /// to every socket costs SignalR and this load generator, without LiveChat. Returns the delivery and how many never got it.
    /// </summary>
    public static async Task<(LatencySummary Delivery, int Never)> RunRelayAsync(RelayBackend relay, int visitors, TimeSpan bound, Action<string> progress, CancellationToken cancellationToken)
    {
        var hubs = new HubConnection?[visitors];
        var receivedAt = new long[visitors];
        progress($"{relay.Name}: connecting {visitors} listeners");
        await Connections.ForEach(visitors, async i =>
        {
            var hub = Connections.Build(relay.HubUrl);
            hub.On<string>("Broadcast", _ => Interlocked.CompareExchange(ref receivedAt[i], Stopwatch.GetTimestamp(), 0));
            await hub.StartAsync(cancellationToken);
            hubs[i] = hub;
        }, cancellationToken);
        await using var sender = Connections.Build(relay.HubUrl);
        await sender.StartAsync(cancellationToken);
        progress($"{relay.Name}: broadcasting to {visitors} listeners");
        var publishedAt = Stopwatch.GetTimestamp();
        await sender.InvokeAsync("Broadcast", "Payments are down; we are on it.", cancellationToken);
        var (delivery, _, never) = await Deliveries(publishedAt, receivedAt, visitors, bound, cancellationToken);
        await Task.WhenAll(hubs.Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));
        return (delivery, never);
    }

    /// <summary>Waits until every listener has the message or the bound is over; the delivery from the call to each arrival.</summary>
    private static async Task<(LatencySummary Delivery, int InTime, int Never)> Deliveries(
        long publishedAt, long[] receivedAt, int listening, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = publishedAt + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (Arrived() < listening && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(50, cancellationToken);
        var delivery = new Latency();
        foreach (var at in receivedAt.Where(at => at != 0))
            delivery.RecordMicros((long)Stopwatch.GetElapsedTime(publishedAt, at).TotalMicroseconds);
        return (delivery.Summarise(), receivedAt.Count(at => at != 0 && at <= deadline), listening - Arrived());

        int Arrived() => Enumerable.Range(0, receivedAt.Length).Count(i => Volatile.Read(ref receivedAt[i]) != 0);
    }
}
