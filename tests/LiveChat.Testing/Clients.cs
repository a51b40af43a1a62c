using System.Net.Http.Json;
using System.Threading.Channels;

namespace LiveChat.Testing;

/// <summary>A LiveChat node clients talk to: one started in the test process, or a node process of a local cluster.</summary>
public interface ILiveChatNode
{
    Uri BaseAddress { get; }
}

/// <summary>What a client does over HTTP and SignalR, using only the public protocol.</summary>
public static class Clients
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static HttpClient Http(this ILiveChatNode server) => new() { BaseAddress = server.BaseAddress, Timeout = Timeout };

    public static async Task<VisitorSessionResponse> OpenVisitorSession(this ILiveChatNode server, string? name = null, string? visitorToken = null)
    {
        using var http = server.Http();
        var response = await http.PostAsJsonAsync("/api/visitor/session", new { name, visitorToken });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<VisitorSessionResponse>())!;
    }

    public static async Task<TokenResponse> SignIn(this ILiveChatNode server, string username, string password = TestCredentials.Password)
    {
        using var http = server.Http();
        var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    public static HubConnection Hub(this ILiveChatNode server, string path, string? token) =>
        HubConnections.Build(new Uri(server.BaseAddress, path), token);

    public static async Task<HubConnection> ConnectVisitor(this ILiveChatNode server, VisitorSessionResponse session)
    {
        var hub = server.Hub("/hubs/visitor", session.AccessToken);
        await hub.StartAsync().WaitAsync(Timeout);
        return hub;
    }

    /// <summary>Signs an agent in, connects to the agent hub and goes Online.</summary>
    public static async Task<HubConnection> ConnectOnlineAgent(this ILiveChatNode server, string username)
    {
        var token = await server.SignIn(username);
        var hub = server.Hub("/hubs/agent", token.AccessToken);
        await hub.StartAsync().WaitAsync(Timeout);
        await hub.InvokeAsync<AgentView>("SetStatus", "Online").WaitAsync(Timeout);
        return hub;
    }

    /// <summary>Signs a supervisor in and connects to the supervisor hub, recording dashboard pushes from the start.</summary>
    public static async Task<(HubConnection Hub, Events<DashboardView> Dashboards)> ConnectSupervisor(this ILiveChatNode server, string username)
    {
        var token = await server.SignIn(username);
        var hub = server.Hub("/hubs/supervisor", token.AccessToken);
        var dashboards = hub.Record<DashboardView>("DashboardUpdated");
        await hub.StartAsync().WaitAsync(Timeout);
        return (hub, dashboards);
    }

    /// <summary>A new visitor opens a session, connects and starts a conversation in <paramref name="queue"/>.</summary>
    public static async Task<VisitorChat> StartVisitorChat(this ILiveChatNode server, string name, string queue, string? text = null)
    {
        var session = await server.OpenVisitorSession(name);
        var hub = server.Hub("/hubs/visitor", session.AccessToken);
        var chat = new VisitorChat(session, hub);
        await hub.StartAsync().WaitAsync(Timeout);
        chat.View = await hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(queue, Text: text)).WaitAsync(Timeout);
        return chat;
    }

    /// <summary>Records every <typeparamref name="T"/> the hub receives for <paramref name="eventName"/>, to wait on later.</summary>
    public static Events<T> Record<T>(this HubConnection hub, string eventName)
    {
        var events = new Events<T>();
        hub.On<T>(eventName, events.Add);
        return events;
    }
}

/// <summary>A visitor's connection and conversation, with every event the visitor received recorded from the start.</summary>
public sealed class VisitorChat : IAsyncDisposable
{
    public VisitorChat(VisitorSessionResponse session, HubConnection hub)
    {
        Session = session;
        Hub = hub;
        Messages = hub.Record<ChatMessage>("MessageReceived");
        Updates = hub.Record<ConversationView>("ConversationUpdated");
        Announcements = hub.Record<Announcement>("AnnouncementPublished");
    }

    public VisitorSessionResponse Session { get; }
    public HubConnection Hub { get; }
    public Events<ChatMessage> Messages { get; }
    public Events<ConversationView> Updates { get; }
    public Events<Announcement> Announcements { get; }
    public ConversationView View { get; set; } = null!;
    public string Id => View.ConversationId;

    public Task<MessageAck> Send(string clientMessageId, string text) =>
        Hub.InvokeAsync<MessageAck>("SendMessage", Id, clientMessageId, text).WaitAsync(Clients.Timeout);

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

public sealed class Events<T>
{
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>();
    private readonly List<T> _all = [];

    public IReadOnlyList<T> All { get { lock (_all) return _all.ToList(); } }

    internal void Add(T item)
    {
        lock (_all)
            _all.Add(item);
        _channel.Writer.TryWrite(item);
    }

    /// <summary>The next event that matches, skipping others; fails after the timeout (<see cref="Clients.Timeout"/> unless given).</summary>
    public async Task<T> Next(Func<T, bool>? match = null, TimeSpan? timeout = null)
    {
        var within = timeout ?? Clients.Timeout;
        using var cts = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                var item = await _channel.Reader.ReadAsync(cts.Token);
                if (match is null || match(item))
                    return item;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching {typeof(T).Name} arrived within {within.TotalSeconds} s");
        }
    }
}
