using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Targets;

/// <summary>The bare relay, started as its own process (this program in <c>relay</c> mode), driven the same way as LiveChat.</summary>
public sealed class RelayBackend : IChatBackend
{
    private readonly ChildProcess _server;
    private HubConnection[] _agents = [];
    private HubConnection[] _visitors = [];
    private int _capacity;

    private RelayBackend(ChildProcess server) => _server = server;

    public string Name => "Bare relay";

    public IReadOnlyList<Process> ServerProcesses => [_server.Process];

    /// <summary>The relay hub's address, for connections of a scenario's own.</summary>
    public Uri HubUrl => new(_server.BaseAddress, "/relay");

    public static async Task<RelayBackend> StartAsync()
    {
        var port = FreePort.Next();
        var server = await ChildProcess.StartAsync(
            Path.Combine(AppContext.BaseDirectory, "LiveChat.LoadTests.dll"), ["relay", "--port", port.ToString()], port, "/healthz");
        return new RelayBackend(server);
    }

    public async Task OpenAsync(int pairs, int capacity, Action<int, Direction, string> onReceived, CancellationToken cancellationToken)
    {
        _capacity = capacity;
        var url = new Uri(_server.BaseAddress, "/relay");
        _agents = new HubConnection[(pairs + capacity - 1) / capacity];
        await Connections.ForEach(_agents.Length, async i =>
        {
            var hub = Connections.Build(url);
            hub.On<string, string, string>("Relayed", (group, role, text) =>
            {
                if (role == "visitor")
                    onReceived(int.Parse(group), Direction.VisitorToAgent, text);
            });
            await hub.StartAsync(cancellationToken);
            _agents[i] = hub;
        }, cancellationToken);

        _visitors = new HubConnection[pairs];
        await Connections.ForEach(pairs, async i =>
        {
            var hub = Connections.Build(url);
            hub.On<string, string, string>("Relayed", (_, role, text) =>
            {
                if (role == "agent")
                    onReceived(i, Direction.AgentToVisitor, text);
            });
            await hub.StartAsync(cancellationToken);
            await hub.InvokeAsync("Join", i.ToString(), cancellationToken);
            await _agents[i / capacity].InvokeAsync("Join", i.ToString(), cancellationToken);
            _visitors[i] = hub;
        }, cancellationToken);
    }

    public Task SendAsync(int pair, Direction direction, string clientMessageId, string text) =>
        direction == Direction.VisitorToAgent
            ? _visitors[pair].InvokeAsync<long>("Send", pair.ToString(), "visitor", text)
            : _agents[pair / _capacity].InvokeAsync<long>("Send", pair.ToString(), "agent", text);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_visitors.Concat(_agents).Where(h => h is not null).Select(h => h.DisposeAsync().AsTask()));
        await _server.DisposeAsync();
    }
}
