using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using StackExchange.Redis;

namespace LiveChat.Server.Hubs;

/// <summary>
/// How the nodes of a cluster pass hub sends to each other: one Redis channel pattern per hub, which every node
/// subscribes to once (<c>livechat:hub:{hub}:{all|user|group|connection}:{id}</c>). A node publishes what it sent, with
/// the message already serialized for each hub protocol, and every other node writes it to the connections it holds;
/// a node skips its own. Redis keeps a node's messages in the order published, and restores the subscription when it
/// comes back; what a client missed meanwhile it reads by seq.
/// <para>
/// A node alone publishes nothing: every node says it is there on <c>livechat:hub-nodes</c> once a second, and a node
/// publishes its sends only while it has heard another node (its hello, or any send of its) within
/// <see cref="PeerTimeout"/>, for the first <see cref="Uncertain"/> after it starts, and for as long again after its
/// Redis connection comes back (until then it cannot know who is there). A node that joins says so before it takes its
/// first connection, so the others publish to it from then on. Alone, a message costs Redis its append only, not two
/// publishes and their echoes (issue 18).
/// </para>
/// </summary>
public sealed class HubBus : IHostedService, IDisposable
{
    public enum Target : byte
    {
        All,
        User,
        Group,
        Connection,
    }

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Uncertain = TimeSpan.FromSeconds(3);
    private const byte FormatVersion = 1;
    private static readonly TimeSpan ResubscribeAfter = TimeSpan.FromSeconds(1);
    private static readonly RedisChannel NodesChannel = RedisChannel.Literal("livechat:hub-nodes");
    private readonly Guid _node = Guid.NewGuid();
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    // Timestamps (TimeProvider's): when another node was last heard, and until when this node publishes regardless.
    private long _peerHeardAt;
    private long _publishAllUntil;
    private bool _listening;

    public HubBus(IConnectionMultiplexer redis, ILogger<HubBus> logger, TimeProvider time)
    {
        (_redis, _logger, _time) = (redis, logger, time);
        _peerHeardAt = long.MinValue / 2;
        _publishAllUntil = UncertainFromNow();
        redis.ConnectionRestored += (_, _) => Volatile.Write(ref _publishAllUntil, UncertainFromNow());
    }

    private IConnectionMultiplexer Redis => _redis;

    private ILogger Logger => _logger;

    /// <summary>Whether sends go to Redis for other nodes: another node was heard lately, or this node cannot know yet.</summary>
    public bool HasPeers
    {
        get
        {
            var now = _time.GetTimestamp();
            return now < Volatile.Read(ref _publishAllUntil)
                || _time.GetElapsedTime(Volatile.Read(ref _peerHeardAt), now) < PeerTimeout;
        }
    }

    /// <summary>
    /// Says this node is there before the node takes its first connection (hosted services start before the server),
    /// so the others publish to it from its first client on; waits at most <see cref="HeartbeatInterval"/> for Redis.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var first = SayHello();
        try
        {
            await first.WaitAsync(HeartbeatInterval, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Redis is slow or away: the heartbeat goes on trying, and the others publish to everyone until they know.
        }
        _ = Heartbeat(first, _stopping.Token);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Cancel();

    private long UncertainFromNow() => _time.GetTimestamp() + (long)(Uncertain.TotalSeconds * _time.TimestampFrequency);

    /// <summary>Listens for the other nodes (once), and says this node is there.</summary>
    private async Task SayHello()
    {
        try
        {
            if (!_listening)
            {
                await Redis.GetSubscriber().SubscribeAsync(NodesChannel, (_, value) => Heard((byte[]?)value));
                _listening = true;
            }
            await Redis.GetSubscriber().PublishAsync(NodesChannel, _node.ToByteArray());
        }
        catch (Exception ex)
        {
            Logger.LogDebug("Could not say this node is there: {Error}", ex.Message);
        }
    }

    private async Task Heartbeat(Task first, CancellationToken stopping)
    {
        await first;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, _time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await SayHello();
        }
    }

    private void Heard(byte[]? node)
    {
        if (node is { Length: 16 } && new Guid(node) != _node)
            HeardPeer();
    }

    private void HeardPeer() => Volatile.Write(ref _peerHeardAt, _time.GetTimestamp());

    public delegate Task Delivery(Target target, string id, SerializedHubMessage message, IReadOnlyList<string> excluded);

    /// <summary>The bus of one hub: what other nodes send to it goes to <paramref name="deliver"/>.</summary>
    public Hub Join(string hubName, Delivery deliver) => new(this, hubName, deliver);

    public sealed class Hub : IDisposable
    {
        private readonly HubBus _bus;
        private readonly string _prefix;
        private readonly Delivery _deliver;
        private readonly CancellationTokenSource _stopping = new();
        private ChannelMessageQueue? _queue;

        internal Hub(HubBus bus, string hubName, Delivery deliver)
        {
            _bus = bus;
            _prefix = $"livechat:hub:{hubName}:";
            _deliver = deliver;
            _ = Subscribe();
        }

        /// <summary>Sends to the other nodes, if any are there; whether the message was serialized for them.</summary>
        public bool Publish(Target target, string id, SerializedHubMessage message, IReadOnlyList<IHubProtocol> protocols, IReadOnlyList<string> excluded)
        {
            if (!_bus.HasPeers)
                return false;
            byte[] payload;
            try
            {
                payload = Encode(message, protocols, excluded);
            }
            catch (Exception ex)
            {
                _bus.Logger.LogError(ex, "A hub message could not be serialized for the other nodes");
                return false;
            }
            var channel = RedisChannel.Literal($"{_prefix}{Kind(target)}:{id}");
            _ = Observe(_bus.Redis.GetSubscriber().PublishAsync(channel, payload));
            return true;
        }

        public void Dispose()
        {
            _stopping.Cancel();
            _queue?.Unsubscribe();
        }

        /// <summary>Subscribes once; tried again each second while Redis cannot be reached at start.</summary>
        private async Task Subscribe()
        {
            while (!_stopping.IsCancellationRequested)
            {
                try
                {
                    _queue = await _bus.Redis.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(_prefix + "*"));
                    _queue.OnMessage(Receive);
                    return;
                }
                catch (Exception ex)
                {
                    _bus.Logger.LogWarning("Could not subscribe to {Channel}, trying again: {Error}", _prefix + "*", ex.Message);
                }
                try
                {
                    await Task.Delay(ResubscribeAfter, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task Observe(Task publish)
        {
            try
            {
                await publish;
            }
            catch (Exception ex)
            {
                _bus.Logger.LogWarning("A hub message did not reach the other nodes (clients catch up by seq): {Error}", ex.Message);
            }
        }

        private void Receive(ChannelMessage received)
        {
            try
            {
                var channel = received.Channel.ToString();
                var rest = channel.AsSpan(_prefix.Length);
                var colon = rest.IndexOf(':');
                if (colon < 0 || !TryTarget(rest[..colon], out var target))
                    return;
                if (Decode(received.Message, _bus._node) is not var (message, excluded))
                    return;
                // A send from another node shows it is there too, even one from before these heartbeats (a rolling upgrade).
                _bus.HeardPeer();
                var delivered = _deliver(target, rest[(colon + 1)..].ToString(), message, excluded);
                if (!delivered.IsCompletedSuccessfully)
                    _ = Observe(delivered);
            }
            catch (Exception ex)
            {
                _bus.Logger.LogWarning(ex, "A hub message from another node could not be delivered");
            }
        }

        private byte[] Encode(SerializedHubMessage message, IReadOnlyList<IHubProtocol> protocols, IReadOnlyList<string> excluded)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write(FormatVersion);
                writer.Write(_bus._node.ToByteArray());
                writer.Write7BitEncodedInt(excluded.Count);
                foreach (var id in excluded)
                    writer.Write(id);
                writer.Write7BitEncodedInt(protocols.Count);
                foreach (var protocol in protocols)
                {
                    var bytes = message.GetSerializedMessage(protocol);
                    writer.Write(protocol.Name);
                    writer.Write7BitEncodedInt(bytes.Length);
                    writer.Write(bytes.Span);
                }
            }
            return stream.ToArray();
        }

        /// <summary>The message and the connections it skips; null for this node's own, or a format this node does not read.</summary>
        private static (SerializedHubMessage, IReadOnlyList<string>)? Decode(RedisValue value, Guid self)
        {
            var bytes = (byte[])value!;
            if (bytes.Length < 17 || bytes[0] != FormatVersion || new Guid(bytes.AsSpan(1, 16)) == self)
                return null;
            using var reader = new BinaryReader(new MemoryStream(bytes, 17, bytes.Length - 17, writable: false));
            var excluded = new string[reader.Read7BitEncodedInt()];
            for (var i = 0; i < excluded.Length; i++)
                excluded[i] = reader.ReadString();
            var messages = new SerializedMessage[reader.Read7BitEncodedInt()];
            for (var i = 0; i < messages.Length; i++)
            {
                var name = reader.ReadString();
                var length = reader.Read7BitEncodedInt();
                var start = 17 + (int)reader.BaseStream.Position;
                messages[i] = new SerializedMessage(name, bytes.AsMemory(start, length));
                reader.BaseStream.Position += length;
            }
            return (new SerializedHubMessage(messages), excluded);
        }

        private static string Kind(Target target) => target switch
        {
            Target.All => "all",
            Target.User => "user",
            Target.Group => "group",
            _ => "connection",
        };

        private static bool TryTarget(ReadOnlySpan<char> kind, out Target target)
        {
            target = kind switch
            {
                "all" => Target.All,
                "user" => Target.User,
                "group" => Target.Group,
                "connection" => Target.Connection,
                _ => (Target)255,
            };
            return target != (Target)255;
        }
    }
}
