using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// Frames no SignalR client would send, over a raw WebSocket speaking the JSON hub protocol: each one is refused in
/// words or closes its own connection cleanly (the protocol's close message), and a visitor chatting alongside never
/// notices.
/// </summary>
[Collection(HardeningServerCollection.Name)]
public sealed class RawFrameTests(HardeningServer fixture, ITestOutputHelper output)
{
    private const char Separator = '\u001e';

    private LiveChatTestServer Server => fixture.Server;

    public static TheoryData<string, string> Frames => new()
    {
        { "not JSON", "hello there" },
        { "truncated JSON", """{"type":1,"invocationId":"1","target":"SendMessage","arguments":["c_x",""" },
        { "nesting 5000 deep", """{"type":1,"invocationId":"1","target":"GetMyConversations","arguments":[""" + new string('[', 5000) + new string(']', 5000) + "]}" },
        { "unknown message type", """{"type":99,"invocationId":"1"}""" },
        { "no type", """{"invocationId":"1","target":"GetMyConversations","arguments":[]}""" },
        { "no target", """{"type":1,"invocationId":"1","arguments":[]}""" },
        { "arguments not an array", """{"type":1,"invocationId":"1","target":"GetMyConversations","arguments":{}}""" },
        { "a JSON array", """[1,2,3]""" },
        { "empty message", "" },
        { "the handshake again", """{"protocol":"json","version":1}""" },
        { "a raw NUL in the JSON", "{\"type\":1,\"invocationId\":\"1\",\"target\":\"GetMyConversations\",\0\"arguments\":[]}" },
        { "lone surrogate in a topic", """{"type":1,"invocationId":"1","target":"StartConversation","arguments":[{"queue":"support","topic":"\ud800 and \udc00"}]}""" },
        { "lone surrogate as the method", """{"type":1,"invocationId":"1","target":"\udfff","arguments":[]}""" },
        { "a huge number for afterSeq", """{"type":1,"invocationId":"1","target":"GetMessages","arguments":["c_x",1e999,50]}""" },
        { "stream invocation of a plain method", """{"type":4,"invocationId":"1","target":"GetMyConversations","arguments":[]}""" },
        { "client streams to a method without stream parameters", """{"type":1,"invocationId":"1","target":"GetMyConversations","arguments":[],"streamIds":["s1"]}""" },
        { "completion for no invocation", """{"type":3,"invocationId":"nope","result":1}""" },
        { "cancel for no invocation", """{"type":5,"invocationId":"nope"}""" },
        { "stream item for no stream", """{"type":2,"invocationId":"nope","item":1}""" },
        { "a frame over 64 KiB", """{"type":1,"invocationId":"1","target":"SendMessage","arguments":["c_x","id",""" + "\"" + new string('x', 70_000) + "\"]}" },
        { "an invocation id of 10000 characters", """{"type":1,"invocationId":""" + "\"" + new string('7', 10_000) + "\"" + ""","target":"GetMyConversations","arguments":[]}""" },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public async Task AMalformedFrameIsRefusedOrClosesOnlyItsOwnConnection(string what, string frame)
    {
        await using var bystander = await Server.StartVisitorChat("Bystander", "support", "hello");
        var session = await Server.OpenVisitorSession("Raw");
        using var socket = await RawHub.ConnectAsync(Server, "/hubs/visitor", session.AccessToken);

        await socket.SendAsync(frame);
        await socket.SendAsync("""{"type":1,"invocationId":"check","target":"GetMyConversations","arguments":[]}""");
        var outcome = await socket.OutcomeAsync();
        output.WriteLine($"{what}: {outcome}");

        Assert.True(outcome.Closed || outcome.CheckAnswered, $"{what}: the server neither answered nor closed: {outcome}");
        if (outcome.Error is { } error)
            Assert.Matches(@"HubException: \w+|method|argument|stream", error);
        if (outcome.Closed)
            Assert.True(outcome.CloseMessage is not null || outcome.WebSocketClose is not null, $"{what}: the connection dropped without a close: {outcome}");
        Assert.Equal(HubConnectionState.Connected, bystander.Hub.State);
        var ack = await bystander.Send("after", $"after {what}");
        Assert.False(ack.Duplicate);
        using var http = Server.Http();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await bystander.Hub.InvokeAsync<ConversationView>("CloseConversation", bystander.Id).WaitAsync(Clients.Timeout);
    }

    /// <summary>A hub connection without the SignalR client: the JSON protocol by hand.</summary>
    private sealed class RawHub : IDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly StringBuilder _pending = new();

        public static async Task<RawHub> ConnectAsync(LiveChatTestServer server, string path, string token)
        {
            var hub = new RawHub();
            var uri = new UriBuilder(new Uri(server.BaseAddress, path)) { Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;
            await hub._socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Clients.Timeout);
            await hub.SendAsync("""{"protocol":"json","version":1}""");
            var handshake = await hub.ReadAsync();
            Assert.Equal("{}", handshake);
            return hub;
        }

        public Task SendAsync(string message) =>
            _socket.SendAsync(Encoding.UTF8.GetBytes(message + Separator), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Clients.Timeout);

        /// <summary>Reads until the "check" call is answered or the server closes; what happened to the frame before it.</summary>
        public async Task<Outcome> OutcomeAsync()
        {
            var outcome = new Outcome();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                while (await ReadAsync(timeout.Token) is { } message)
                {
                    using var json = JsonDocument.Parse(message);
                    var root = json.RootElement;
                    var type = root.GetProperty("type").GetInt32();
                    var id = root.TryGetProperty("invocationId", out var invocationId) ? invocationId.GetString() : null;
                    if (type == 7)
                        outcome.CloseMessage = message;
                    else if (type == 3 && id == "check")
                        return outcome with { CheckAnswered = true };
                    else if (type == 3 && root.TryGetProperty("error", out var error))
                        outcome.Error = error.GetString();
                }
                return outcome with { Closed = true, WebSocketClose = $"{_socket.CloseStatus} {_socket.CloseStatusDescription}" };
            }
            catch (OperationCanceledException)
            {
                return outcome;
            }
            catch (WebSocketException dropped)
            {
                return outcome with { Closed = true, WebSocketClose = null, Error = outcome.Error ?? dropped.Message };
            }
        }

        private async Task<string?> ReadAsync(CancellationToken cancellationToken = default)
        {
            var buffer = new byte[8192];
            while (true)
            {
                var end = _pending.ToString().IndexOf(Separator);
                if (end >= 0)
                {
                    var message = _pending.ToString(0, end);
                    _pending.Remove(0, end + 1);
                    return message;
                }
                var read = await _socket.ReceiveAsync(buffer, cancellationToken);
                if (read.MessageType == WebSocketMessageType.Close)
                    return null;
                _pending.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
            }
        }

        public void Dispose() => _socket.Dispose();
    }

    private sealed record Outcome
    {
        public bool CheckAnswered { get; init; }
        public bool Closed { get; init; }
        public string? CloseMessage { get; set; }
        public string? WebSocketClose { get; init; }
        public string? Error { get; set; }
    }
}
