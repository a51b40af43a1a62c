using System.Collections.Concurrent;
using LiveChat.Server.Reliability;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Tests.Cluster;

/// <summary>
/// A client that does what the widget and the consoles do when their node goes away: it connects to another node (or
/// to its only one again), fetches what it missed by <c>seq</c>, and sends an unacknowledged message again with the
/// same client message id.
/// It keeps every message of the conversations it follows by <c>seq</c>, and notes anything that should not happen.
/// </summary>
public sealed class ResumingClient : IAsyncDisposable
{
    private static readonly TimeSpan SendDeadline = TimeSpan.FromSeconds(45);
    private readonly IReadOnlyList<ILiveChatNode> _nodes;
    private readonly string _path;
    private readonly string _token;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, ChatMessage>> _conversations = new();
    private HubConnection? _hub;
    private int _node;

    private ResumingClient(IReadOnlyList<ILiveChatNode> nodes, int node, string path, string token)
    {
        (_nodes, _node, _path, _token) = (nodes, node, path, token);
    }

    /// <summary>The node the client is connected to now.</summary>
    public ILiveChatNode Node => _nodes[_node];

    /// <summary>When the client found its connection gone, and when it was connected again (to another node).</summary>
    public ConcurrentQueue<(DateTime Lost, DateTime Back, ILiveChatNode To)> Moves { get; } = new();

    /// <summary>Errors the server answered a send with, in words.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    /// <summary>Two different messages under one seq, or a seq that went backwards: never allowed.</summary>
    public ConcurrentQueue<string> Conflicts { get; } = new();

    public static async Task<ResumingClient> Visitor(IReadOnlyList<ILiveChatNode> nodes, int node, VisitorSessionResponse session) =>
        await Connected(new ResumingClient(nodes, node, "/hubs/visitor", session.AccessToken));

    public static async Task<ResumingClient> Agent(IReadOnlyList<ILiveChatNode> nodes, int node, string username)
    {
        var token = await nodes[node].SignIn(username);
        var client = await Connected(new ResumingClient(nodes, node, "/hubs/agent", token.AccessToken));
        await client.Invoke<AgentView>("SetStatus", "Online");
        return client;
    }

    /// <summary>Keeps this conversation's messages from now on (and those before, on the next catch-up).</summary>
    public void Follow(string conversationId) => _conversations.TryAdd(conversationId, new ConcurrentDictionary<long, ChatMessage>());

    /// <summary>The conversation as the client shows it: one message per seq, in order.</summary>
    public IReadOnlyList<ChatMessage> Transcript(string conversationId) => _conversations[conversationId].Values.OrderBy(m => m.Seq).ToList();

    /// <summary>Sends until the message is acknowledged, moving to another node when the connection is lost; returns the ack and how long it took.</summary>
    public async Task<(MessageAck Ack, TimeSpan Took)> Send(string conversationId, string clientMessageId, string text)
    {
        var began = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                var hub = await Current();
                var ack = await hub.InvokeAsync<MessageAck>("SendMessage", conversationId, clientMessageId, text).WaitAsync(TimeSpan.FromSeconds(30));
                return (ack, Stopwatch.GetElapsedTime(began));
            }
            catch (HubException ex)
            {
                Refusals.Enqueue($"{clientMessageId}: {ex.Message}");
                // Only "moving to another server" is worth trying again; any other refusal is final.
                if (!ex.Message.Contains(ServiceMovingException.Text) || Stopwatch.GetElapsedTime(began) > SendDeadline)
                    throw;
            }
            catch (Exception) when (Stopwatch.GetElapsedTime(began) < SendDeadline)
            {
                // The connection went while the send was out: the same id again, on whatever node the client reaches.
                await Task.Delay(100);
            }
        }
    }

    public async Task<T> Invoke<T>(string method, params object?[] args) =>
        await (await Current()).InvokeCoreAsync<T>(method, args).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Fetches every message of the conversations it follows, as a client opening them afresh would.</summary>
    public async Task CatchUp()
    {
        var hub = await Current();
        foreach (var (id, _) in _conversations)
            await Fetch(hub, id, after: 0);
    }

    public async ValueTask DisposeAsync()
    {
        if (_hub is not null)
            await _hub.DisposeAsync();
    }

    private static async Task<ResumingClient> Connected(ResumingClient client)
    {
        await client.Current();
        return client;
    }

    private void Keep(ChatMessage message)
    {
        if (!_conversations.TryGetValue(message.ConversationId, out var messages))
            return;
        var kept = messages.GetOrAdd(message.Seq, message);
        if (kept.ClientMessageId != message.ClientMessageId || kept.Text != message.Text)
            Conflicts.Enqueue($"seq {message.Seq} of {message.ConversationId}: '{kept.Text}' and '{message.Text}'");
    }

    /// <summary>The live connection, or a new one to the next node that answers, caught up by seq.</summary>
    private async Task<HubConnection> Current()
    {
        if (_hub is { State: HubConnectionState.Connected } live)
            return live;
        await _connecting.WaitAsync();
        try
        {
            if (_hub is { State: HubConnectionState.Connected } connected)
                return connected;
            var lost = DateTime.UtcNow;
            var first = _hub is null;
            if (_hub is not null)
            {
                await _hub.DisposeAsync();
                _node = (_node + 1) % _nodes.Count;
            }
            var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
            while (true)
            {
                var hub = _nodes[_node].Hub(_path, _token);
                hub.On<ChatMessage>("MessageReceived", Keep);
                try
                {
                    await hub.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
                    _hub = hub;
                    break;
                }
                catch (Exception) when (Stopwatch.GetTimestamp() < deadline)
                {
                    await hub.DisposeAsync();
                    _node = (_node + 1) % _nodes.Count;
                    await Task.Delay(100);
                }
            }
            if (!first)
            {
                Moves.Enqueue((lost, DateTime.UtcNow, Node));
                await CatchUpOn(_hub);
            }
            return _hub;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task CatchUpOn(HubConnection hub)
    {
        foreach (var (id, messages) in _conversations)
            await Fetch(hub, id, after: messages.IsEmpty ? 0 : messages.Keys.Max());
    }

    /// <summary>Every message of the conversation after <paramref name="after"/>, page by page.</summary>
    private async Task Fetch(HubConnection hub, string conversationId, long after)
    {
        while (true)
        {
            var page = await hub.InvokeAsync<List<ChatMessage>>("GetMessages", conversationId, after, 200).WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var message in page)
                Keep(message);
            if (page.Count < 200)
                return;
            after = page[^1].Seq;
        }
    }
}
