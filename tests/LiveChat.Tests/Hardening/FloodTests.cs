using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// What a script opening the widget's doors by the thousand meets: a cap on the hub connections one visitor and one
/// address hold (in words, and nobody else is touched), and an availability answer that costs the queue one call a
/// second however many ask.
/// </summary>
public sealed class FloodTests
{
    [Fact]
    public async Task OneVisitorsConnectionsAreCappedInWordsAndAClosedOneMakesRoom()
    {
        await using var server = await LiveChatTestServer.StartAsync(new Dictionary<string, string?> { ["LiveChat:Limits:ConnectionsPerVisitor"] = "3" });
        var session = await server.OpenVisitorSession("Tabs");
        var open = new List<HubConnection>();
        for (var i = 0; i < 3; i++)
            open.Add(await server.ConnectVisitor(session));

        var fourth = await Closed(server, session);
        await using var neighbour = await server.ConnectVisitor(await server.OpenVisitorSession("Neighbour"));
        await open[0].DisposeAsync();
        await Eventually.True(async () =>
        {
            try
            {
                open[0] = await server.ConnectVisitor(session);
                return await Answers(open[0]);
            }
            catch (Exception)
            {
                return false;
            }
        }, "a new tab to connect once one was closed");

        Assert.Contains("too many open chat windows: at most 3 at once; close one and try again", fourth);
        Assert.True(await Answers(neighbour));
        Assert.True(await Answers(open[1]));
        foreach (var hub in open)
            await hub.DisposeAsync();
    }

    [Fact]
    public async Task OneAddressesConnectionsAreCappedInWords()
    {
        await using var server = await LiveChatTestServer.StartAsync(new Dictionary<string, string?> { ["LiveChat:Limits:ConnectionsPerAddress"] = "4" });
        var open = new List<HubConnection>();
        for (var i = 0; i < 4; i++)
            open.Add(await server.ConnectVisitor(await server.OpenVisitorSession($"Office {i}")));

        var fifth = await Closed(server, await server.OpenVisitorSession("Office 5"));

        Assert.Contains("too many chat connections from your address: at most 4 at once", fifth);
        Assert.True(await Answers(open[3]));
        foreach (var hub in open)
            await hub.DisposeAsync();
    }

    [Fact]
    public async Task AFloodOfAvailabilityAsksCostsTheQueueOneCallASecond()
    {
        var calls = new GetAvailabilityCalls();
        await using var server = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>(),
            services: s => s.AddSingleton<IIncomingGrainCallFilter>(calls));
        using var http = server.Http();

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => http.GetAsync("/api/queues/support/availability")));
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.InRange(calls.Count, 1, (int)Math.Ceiling(seconds) + 1);
    }

    /// <summary>A connection that the node closes at once, and the words it closed with.</summary>
    private static async Task<string> Closed(LiveChatTestServer server, VisitorSessionResponse session)
    {
        var hub = server.Hub("/hubs/visitor", session.AccessToken);
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += error =>
        {
            closed.TrySetResult(error?.Message ?? "closed without an error");
            return Task.CompletedTask;
        };
        await hub.StartAsync().WaitAsync(Clients.Timeout);
        var words = await closed.Task.WaitAsync(Clients.Timeout);
        await hub.DisposeAsync();
        return words;
    }

    private static async Task<bool> Answers(HubConnection hub) =>
        hub.State == HubConnectionState.Connected && await hub.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout) is not null;

    /// <summary>Counts the calls of IQueueGrain.GetAvailability the node's grains receive.</summary>
    private sealed class GetAvailabilityCalls : IIncomingGrainCallFilter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IQueueGrain.GetAvailability))
                Interlocked.Increment(ref _count);
            return context.Invoke();
        }
    }
}
