using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LiveChat.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Targets;

/// <summary>
/// LiveChat itself: a node started as its own process on the embedded default, with generated agents
/// (<c>load0</c>, <c>load1</c> ...), visitors who start conversations and get them assigned, and, when asked for,
/// supervisors (<c>supervisor0</c> ...) with a queue that no agent serves. With several nodes on one Redis the clients
/// are spread over them round-robin, so a push usually crosses from one node to another through the SignalR backplane.
/// </summary>
public sealed class LiveChatBackend : IChatBackend
{
    private const string Password = "load-test";

    /// <summary>A queue no agent serves, configured with the supervisors: a conversation there waits until it is closed.</summary>
    public const string UnattendedQueue = "unattended";

    /// <summary>The node's dashboard interval, written into its settings (it is the node's default) so the suite knows it.</summary>
    public static readonly TimeSpan DashboardInterval = TimeSpan.FromMilliseconds(250);
    private readonly string _contentRoot;
    private readonly NodeStart[] _starts;
    /// <summary>Most nodes one run starts: they share this machine's cores with each other and with the load generator.</summary>
    public const int MaxNodes = 5;

    private ChildProcess[] _nodes;
    private HubConnection[] _agents = [];
    private HubConnection[] _visitors = [];
    private string[] _conversationIds = [];
    private int[] _agentOfPair = [];

    private LiveChatBackend(ChildProcess[] nodes, string contentRoot, NodeStart[] starts, bool onRedis)
    {
        _nodes = nodes;
        _contentRoot = contentRoot;
        _starts = starts;
        OnRedis = onRedis;
        Name = nodes.Length > 1 ? $"LiveChat on {nodes.Length} nodes" : onRedis ? "LiveChat on Redis" : "LiveChat";
    }

    /// <summary>How a node was started, kept so that a restart starts it the same way, on the same ports (and with the same log file).</summary>
    private sealed record NodeStart(string Dll, IReadOnlyList<string> Args, int Port, Dictionary<string, string> Environment, string? LogFile);

    public bool OnRedis { get; }

    public string Name { get; }

    public IReadOnlyList<Process> ServerProcesses => _nodes.Select(n => n.Process).ToList();

    /// <summary>Conversations whose visitor and agent are connected to different nodes; known once they are open.</summary>
    public int CrossNodeConversations { get; private set; }

    /// <summary>
    /// Starts a node whose configuration holds <paramref name="agents"/> agents of <paramref name="capacity"/> each
    /// and <paramref name="supervisors"/> supervisors (with <see cref="UnattendedQueue"/> when there are any):
    /// on the embedded default, or on the Redis at <paramref name="redis"/> (a loopback address only). Several
    /// <paramref name="nodes"/> need Redis: they share its cluster, storage and backplane, the settings file and so the
    /// signing key and users, each on ports of its own; they are ready once each answers <c>/healthz</c> and Redis's
    /// membership table holds them all active. With <paramref name="logFolder"/> each node's output goes to
    /// <c>node{n}.log</c> there, with LiveChat's own log lines from Information up. <paramref name="personLimits"/> keeps a
    /// person's message limits (the node's defaults) instead of lifting them out of the load's way.
    /// </summary>
    public static async Task<LiveChatBackend> StartAsync(int agents, int capacity, string? redis = null, int supervisors = 0, int nodes = 1,
        string? logFolder = null, bool personLimits = false)
    {
        if (nodes is < 1 or > MaxNodes || (nodes > 1 && redis is null))
            throw new ArgumentOutOfRangeException(nameof(nodes), $"from 1 to {MaxNodes} nodes, and more than one only on Redis");
        // Users go in a settings file in the node's content root: thousands of environment variables would do too, but less readably.
        var contentRoot = Directory.CreateTempSubdirectory("livechat-load-").FullName;
        // Production, as operators run it: one real hash serves every generated user (they share the password).
        var hash = LiveChat.Server.Identity.UserDirectory.Hash(Password);
        var users = Enumerable.Range(0, agents).Select(i => new { Username = $"load{i}", Role = "agent", MaxConversations = capacity, PasswordHash = hash })
            .Concat(Enumerable.Range(0, supervisors).Select(i => new { Username = $"supervisor{i}", Role = "supervisor", MaxConversations = capacity, PasswordHash = hash }));
        await File.WriteAllTextAsync(Path.Combine(contentRoot, "appsettings.json"), JsonSerializer.Serialize(new
        {
            Logging = new { LogLevel = new { Default = "Warning" } },
            LiveChat = new
            {
                Users = users,
                // The agents serve the default queue only, so nobody takes a conversation from this one.
                Queues = supervisors > 0 ? new[] { UnattendedQueue } : [],
                DashboardIntervalMilliseconds = (int)DashboardInterval.TotalMilliseconds,
                Auth = new { SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)) },
                // Every simulated visitor comes from this one address, and one conversation may carry hundreds of messages
                // a second (long-conversation): far past what the limits allow a person, which is not what is measured.
                // (Sessions and chats waiting per address stay lifted either way: every visitor of the run comes from it.)
                Limits = personLimits
                    ? (object)new { SessionsPerMinute = 100_000, WaitingPerAddress = 100_000, ConnectionsPerAddress = 1_000_000 }
                    : new { MessageBurst = 1000, MessagesPerSecond = 1000, TypingBurst = 1000, TypingPerSecond = 1000, ReadBurst = 1000, ReadsPerSecond = 1000, SessionsPerMinute = 100_000, WaitingPerAddress = 100_000, ConnectionsPerAddress = 1_000_000 },
            },
        }));

        var environment = Environment(redis);
        if (logFolder is not null)
            environment["Logging__LogLevel__LiveChat"] = "Information";
        var starts = Enumerable.Range(0, nodes).Select(n =>
        {
            var port = FreePort.Next();
            return new NodeStart(Path.Combine(AppContext.BaseDirectory, "LiveChat.Server.dll"),
                ["--contentRoot", contentRoot, "--urls", $"http://127.0.0.1:{port}",
                 $"--Orleans:SiloPort={FreePort.Next()}", $"--Orleans:GatewayPort={FreePort.Next()}"],
                port, environment, logFolder is null ? null : Path.Combine(logFolder, $"node{n + 1}.log"));
        }).ToList();
        // One after another: the first creates the membership table the others join.
        var started = new List<ChildProcess>();
        try
        {
            foreach (var start in starts)
                started.Add(await ChildProcess.StartAsync(start.Dll, start.Args, start.Port, "/healthz", start.Environment, start.LogFile));
            if (nodes > 1)
                await ClusterMembership.WaitForActiveAsync(redis!, environment["Orleans__ServiceId"], environment["Orleans__ClusterId"], nodes);
        }
        catch
        {
            foreach (var node in started)
                await node.DisposeAsync();
            throw;
        }
        return new LiveChatBackend([.. started], contentRoot, [.. starts], redis is not null);
    }

    /// <summary>
    /// Kills the node as a crash would, starts a fresh one with the same settings, ports and Redis, and reconnects
    /// every visitor and agent. Nothing on the message path is active on the new node after that: the first send in
    /// each conversation activates its grain from storage. Needs Redis; on the embedded default a restart loses everything.
    /// </summary>
    public async Task<(TimeSpan NodeReady, TimeSpan Reconnected)> RestartAsync(CancellationToken cancellationToken)
    {
        if (!OnRedis || _nodes.Length > 1)
            throw new InvalidOperationException("a restart keeps the conversations only on Redis, and restarts one node only");
        await _nodes[0].DisposeAsync();
        // Each client sees its connection drop; stopping it as well makes sure it is fully down before it starts again.
        var hubs = _visitors.Concat(_agents).ToList();
        await Task.WhenAll(hubs.Select(h => h.StopAsync(cancellationToken)));

        var began = Stopwatch.GetTimestamp();
        await StartNodeAsync(0);
        var nodeReady = Stopwatch.GetElapsedTime(began);
        began = Stopwatch.GetTimestamp();
        // The same connections start again with their own tokens (same signing key); their handlers stay registered.
        await Connections.ForEach(hubs.Count, i => hubs[i].StartAsync(cancellationToken), cancellationToken);
        return (nodeReady, Stopwatch.GetElapsedTime(began));
    }

    /// <summary>Kills node <paramref name="index"/> (0-based) as a crash would: SIGKILL, no goodbye to the cluster or to its clients.</summary>
    public ValueTask KillNodeAsync(int index) => _nodes[index].DisposeAsync();

    /// <summary>Starts node <paramref name="index"/> (0-based) again, after <see cref="KillNodeAsync"/>: same settings, ports and log file; returns once it answers <c>/healthz</c>.</summary>
    public async Task StartNodeAsync(int index)
    {
        var start = _starts[index];
        _nodes[index] = await ChildProcess.StartAsync(start.Dll, start.Args, start.Port, "/healthz", start.Environment, start.LogFile);
    }

    /// <summary>Each node's HTTP address, in order; a node started again keeps its own.</summary>
    public IReadOnlyList<Uri> NodeAddresses => _starts.Select(s => new Uri($"http://127.0.0.1:{s.Port}")).ToList();

    /// <summary>Environment variables named with this prefix are given to the nodes without it (see <see cref="Environment"/>).</summary>
    public const string NodeOnlyPrefix = "NODE_";

    private static Dictionary<string, string> Environment(string? redis)
    {
        var environment = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        // NODE_DOTNET_GCgen0size=... and the like reach the nodes alone, as DOTNET_GCgen0size: a runtime setting tried on
        // LiveChat without moving the relay or the load generator, which a plain DOTNET_ variable would reach too.
        foreach (System.Collections.DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
            if (variable.Key is string name && name.StartsWith(NodeOnlyPrefix, StringComparison.Ordinal))
                environment[name[NodeOnlyPrefix.Length..]] = variable.Value as string ?? "";
        if (redis is not null)
        {
            environment["ConnectionStrings__Redis"] = redis;
            // A fresh service id per run, so agents and queues of an earlier run in the same Redis are not picked up;
            // the cluster id is fresh too, so the silos of an earlier run are not in this one's membership table.
            environment["Orleans__ServiceId"] = $"load-{Guid.NewGuid():N}";
            environment["Orleans__ClusterId"] = $"load-{Guid.NewGuid():N}";
        }
        return environment;
    }

    /// <summary>Only loopback addresses may be a load target here.</summary>
    public static string? CheckLoopback(string? redis)
    {
        if (redis is null)
            return null;
        var endpoints = StackExchange.Redis.ConfigurationOptions.Parse(redis).EndPoints;
        var remote = endpoints.FirstOrDefault(e => e switch
        {
            System.Net.IPEndPoint ip => !System.Net.IPAddress.IsLoopback(ip.Address),
            System.Net.DnsEndPoint dns => dns.Host is not "localhost",
            _ => true,
        });
        return remote is null && endpoints.Count > 0 ? null : $"--redis must name a loopback address (127.0.0.1 or localhost), not {remote}";
    }

    public async Task OpenAsync(int pairs, int capacity, Action<int, Direction, string> onReceived, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var pairOf = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var agentIndex = new Dictionary<string, int>();

        // Handlers go on after the agents are online: no chat can be assigned before the visitors below start one.
        _agents = await ConnectAgentsAsync((pairs + capacity - 1) / capacity, cancellationToken);
        for (var i = 0; i < _agents.Length; i++)
            agentIndex[$"load{i}"] = i;
        foreach (var hub in _agents)
            hub.On<ChatMessage>("MessageReceived", m =>
            {
                if (m.SenderRole == Roles.Visitor && pairOf.TryGetValue(m.ConversationId, out var pair))
                    onReceived(pair, Direction.VisitorToAgent, m.Text);
            });

        _visitors = new HubConnection[pairs];
        _conversationIds = new string[pairs];
        _agentOfPair = new int[pairs];
        var visitorNode = new int[pairs];
        await Connections.ForEach(pairs, async i =>
        {
            var token = await OpenSessionAsync(http, $"Visitor {i}", cancellationToken);
            var hub = await ConnectVisitorAsync(token, client: i);
            var view = await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(), cancellationToken);
            if (view.AgentId is null)
                throw new InvalidOperationException($"conversation {i} was not assigned: the agents' capacity is too small for {pairs} chats");
            pairOf[view.ConversationId] = i;
            _conversationIds[i] = view.ConversationId;
            _agentOfPair[i] = agentIndex[view.AgentId];
            visitorNode[i] = i % _nodes.Length;
            // The server picks the agent. A visitor who landed on its agent's node moves to the next one (the node
            // reaches a visitor by user, not by connection), so that every conversation's pushes cross nodes.
            if (_nodes.Length > 1 && visitorNode[i] == _agentOfPair[i] % _nodes.Length)
            {
                await hub.DisposeAsync();
                visitorNode[i] = (_agentOfPair[i] + 1) % _nodes.Length;
                hub = await ConnectVisitorAsync(token, client: visitorNode[i]);
            }
            _visitors[i] = hub;
        }, cancellationToken);
        CrossNodeConversations = Enumerable.Range(0, pairs).Count(i => visitorNode[i] != _agentOfPair[i] % _nodes.Length);

        async Task<HubConnection> ConnectVisitorAsync(string? token, int client)
        {
            var hub = VisitorHub(token, client);
            hub.On<ChatMessage>("MessageReceived", m =>
            {
                if (m.SenderRole == Roles.Agent && pairOf.TryGetValue(m.ConversationId, out var pair))
                    onReceived(pair, Direction.AgentToVisitor, m.Text);
            });
            await hub.StartAsync(cancellationToken);
            return hub;
        }
    }

    /// <summary>The first node's address: HTTP calls go there, whichever node the client then connects to.</summary>
    public Uri BaseAddress => _nodes[0].BaseAddress;

    /// <summary>The node client number <paramref name="client"/> connects to: round-robin over the nodes.</summary>
    private Uri NodeOf(int client) => _nodes[client % _nodes.Length].BaseAddress;

    /// <summary>Opens a visitor session over HTTP and returns its visitor token.</summary>
    public static async Task<string?> OpenSessionAsync(HttpClient http, string name, CancellationToken cancellationToken)
    {
        var response = await http.PostAsJsonAsync("/api/visitor/session", new { name }, cancellationToken);
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString();
    }

    /// <summary>A visitor hub connection (not started yet) with the given token, to the node of client number <paramref name="client"/>.</summary>
    public HubConnection VisitorHub(string? token, int client = 0) => Connections.Build(new Uri(NodeOf(client), "/hubs/visitor"), token);

    /// <summary>Signs in agents <c>load0</c>..<c>load{count-1}</c>, connects them round-robin over the nodes and sets them Online.</summary>
    public async Task<HubConnection[]> ConnectAgentsAsync(int count, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var agents = new HubConnection[count];
        await Connections.ForEach(count, async i =>
        {
            agents[i] = Connections.Build(new Uri(NodeOf(i), "/hubs/agent"), await SignInAsync(http, $"load{i}", cancellationToken));
            await agents[i].StartAsync(cancellationToken);
            await agents[i].InvokeAsync<AgentView>("SetStatus", "Online", cancellationToken);
        }, cancellationToken);
        return agents;
    }

    /// <summary>
    /// Signs in supervisors <c>supervisor0</c>..<c>supervisor{count-1}</c> and connects them to <c>/hubs/supervisor</c>, round-robin over the nodes
    /// starting from the second (a probe visitor is on the first, so what it does reaches them across nodes),
    /// each push of the dashboard going to <paramref name="onDashboard"/> with the supervisor's index. The caller disposes them.
    /// </summary>
    public async Task<HubConnection[]> ConnectSupervisorsAsync(int count, Action<int, DashboardView> onDashboard, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var supervisors = new HubConnection[count];
        await Connections.ForEach(count, async i =>
        {
            var hub = Connections.Build(new Uri(NodeOf(i + 1), "/hubs/supervisor"), await SignInAsync(http, $"supervisor{i}", cancellationToken));
            // Before the start: a push may come at any moment after it.
            hub.On<DashboardView>("DashboardUpdated", view => onDashboard(i, view));
            await hub.StartAsync(cancellationToken);
            supervisors[i] = hub;
        }, cancellationToken);
        return supervisors;
    }

    /// <summary>Signs a generated user (<c>load0</c>, <c>supervisor0</c> ...) in and returns their bearer token.</summary>
    public static async Task<string?> SignInAsync(HttpClient http, string username, CancellationToken cancellationToken)
    {
        var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password = Password }, cancellationToken);
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString();
    }

    public Task SendAsync(int pair, Direction direction, string clientMessageId, string text)
    {
        var hub = direction == Direction.VisitorToAgent ? _visitors[pair] : _agents[_agentOfPair[pair]];
        return hub.InvokeAsync<MessageAck>("SendMessage", _conversationIds[pair], clientMessageId, text);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_visitors.Concat(_agents).Where(h => h is not null).Select(h => h.DisposeAsync().AsTask()));
        foreach (var node in _nodes)
            await node.DisposeAsync();
        try { Directory.Delete(_contentRoot, recursive: true); } catch (IOException) { }
    }
}
