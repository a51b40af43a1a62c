using System.Diagnostics;
using LiveChat.Contracts;
using LiveChat.LoadTests.Measurement;
using LiveChat.LoadTests.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Scenarios;

/// <summary>
/// The visitors of <c>rush</c> and <c>steady-queue</c>, numbered 0..count-1: each opens a session, connects to the
/// visitor hub (listening for <c>ConversationUpdated</c> before the start) and starts a conversation in the default
/// queue. Times each step, keeps each start's latency by arrival number, what each was told of its place, and the
/// position pushes (a <c>ConversationUpdated</c> while waiting) all of them received each second.
/// </summary>
public sealed class QueueVisitors(LiveChatBackend backend, int count, TimeSpan longestRun) : IAsyncDisposable
{
    private readonly HubConnection?[] _hubs = new HubConnection?[count];
    private readonly bool[] _started = new bool[count];
    private readonly HttpClient _http = new() { BaseAddress = backend.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    private int _failed;

    public int Count => count;
    public Latency Session { get; } = new();
    public Latency Connect { get; } = new();
    public ArrivalLatencies Start { get; } = new(count);
    public QueuePlaces Places { get; } = new(count);
    public PushRate PositionPushes { get; } = new(longestRun);
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>
    /// Visitors <paramref name="from"/> to <paramref name="from"/> + <paramref name="arrivals"/> - 1 arrive on an open-loop
    /// schedule, <paramref name="perSecond"/> a second from now, each whatever the earlier ones' answers are doing; returns when all have.
    /// </summary>
    public async Task ArriveAsync(int from, int arrivals, int perSecond, CancellationToken cancellationToken)
    {
        var begin = Stopwatch.GetTimestamp();
        var arriving = new List<Task>(arrivals);
        for (var i = 0; i < arrivals; i++)
        {
            await OpenLoop.WaitUntil(OpenLoop.Schedule(begin, i, perSecond), cancellationToken);
            arriving.Add(Arrive(from + i, cancellationToken));
        }
        await Task.WhenAll(arriving);
    }

    /// <summary>
    /// <paramref name="visitors"/> visitors go through the same steps, unmeasured, in <see cref="LiveChatBackend.UnattendedQueue"/>
    /// (the node must have it: start it with a supervisor), and leave their conversations waiting there. A fresh node's first
    /// calls are slow (code compiled, grains activated for the first time); after these, the measured arrivals time the queue.
    /// </summary>
    public static async Task WarmUpAsync(LiveChatBackend backend, int visitors, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = backend.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await Connections.ForEach(visitors, async i =>
        {
            await using var hub = backend.VisitorHub(await LiveChatBackend.OpenSessionAsync(http, $"Warm-up {i}", cancellationToken));
            await hub.StartAsync(cancellationToken);
            await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(Queue: LiveChatBackend.UnattendedQueue), cancellationToken);
        }, cancellationToken);
    }

    private async Task Arrive(int visitor, CancellationToken cancellationToken)
    {
        try
        {
            var t = Stopwatch.GetTimestamp();
            var token = await LiveChatBackend.OpenSessionAsync(_http, $"Rush {visitor}", cancellationToken);
            Session.Record(t);
            var hub = backend.VisitorHub(token);
            hub.On<ConversationView>("ConversationUpdated", view =>
            {
                if (view.Status == ConversationStatus.Queued)
                    PositionPushes.Received();
                Places.Pushed(visitor, view);
            });
            t = Stopwatch.GetTimestamp();
            await hub.StartAsync(cancellationToken);
            _hubs[visitor] = hub;
            Connect.Record(t);
            t = Stopwatch.GetTimestamp();
            var view = await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(), cancellationToken);
            Start.Record(visitor, t);
            Places.Answered(visitor, view);
            _started[visitor] = true;
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>The visitors whose <c>StartConversation</c> was answered, by number.</summary>
    public IReadOnlyList<int> Started => Enumerable.Range(0, count).Where(i => _started[i]).ToList();

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_hubs.Where(h => h is not null).Select(h => h!.DisposeAsync().AsTask()));
        _http.Dispose();
    }
}
