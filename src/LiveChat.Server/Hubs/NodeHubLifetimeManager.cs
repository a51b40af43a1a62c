using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveChat.Server.Hubs;

/// <summary>
/// Where a hub's sends go: to the connections this node holds, found by user, group or id in a dictionary, and, on a
/// cluster, to the other nodes through <see cref="HubBus"/>, which hands back what other nodes send.
/// <para>
/// It replaces SignalR's Redis backplane, which subscribed every new connection to two Redis channels (its own and its
/// user's) and took one lock for every node's user subscriptions, held while Redis answered: in a rush, connections
/// reached their hub one Redis round trip after another, at most 150 to 300 a second per node, and every start waited
/// in that line (docs/performance.md, "The outage rush"). Here a connection costs Redis nothing: each node subscribes
/// once per hub and delivers what it holds.
/// </para>
/// </summary>
public sealed class NodeHubLifetimeManager<THub> : HubLifetimeManager<THub>, IDisposable where THub : Hub
{
    private readonly HubConnectionStore _connections = new();
    // Arrays replaced whole, never changed in place, so a send reads a consistent set without a lock.
    private readonly ConcurrentDictionary<string, HubConnectionContext[]> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HubConnectionContext[]> _groups = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<IHubProtocol> _protocols;
    private readonly HubBus.Hub? _bus;
    private readonly ILogger _logger;

    public NodeHubLifetimeManager(IHubProtocolResolver protocols, ILogger<NodeHubLifetimeManager<THub>> logger, HubBus? bus = null)
    {
        _protocols = protocols.AllProtocols;
        _logger = logger;
        _bus = bus?.Join(typeof(THub).Name, Deliver);
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections.Add(connection);
        if (connection.UserIdentifier is { } user)
            Add(_users, user, connection);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        if (connection.UserIdentifier is { } user)
            Remove(_users, user, connection);
        if (connection.Features.Get<GroupsFeature>() is { } groups)
        {
            foreach (var group in groups.Names)
                Remove(_groups, group, connection);
        }
        return Task.CompletedTask;
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(HubBus.Target.All, "", Invocation(methodName, args), []);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        Send(HubBus.Target.All, "", Invocation(methodName, args), excludedConnectionIds);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(HubBus.Target.Connection, connectionId, Invocation(methodName, args), []);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendEach(HubBus.Target.Connection, connectionIds, methodName, args);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(HubBus.Target.Group, groupName, Invocation(methodName, args), []);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendEach(HubBus.Target.Group, groupNames, methodName, args);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        Send(HubBus.Target.Group, groupName, Invocation(methodName, args), excludedConnectionIds);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(HubBus.Target.User, userId, Invocation(methodName, args), []);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendEach(HubBus.Target.User, userIds, methodName, args);

    /// <summary>Groups hold this node's connections: a hub adds its own caller, which is always here.</summary>
    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        var connection = Local(connectionId);
        var groups = connection.Features.Get<GroupsFeature>() ?? new GroupsFeature();
        connection.Features.Set(groups);
        if (groups.Add(groupName))
            Add(_groups, groupName, connection);
        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        var connection = Local(connectionId);
        if (connection.Features.Get<GroupsFeature>() is { } groups && groups.Remove(groupName))
            Remove(_groups, groupName, connection);
        return Task.CompletedTask;
    }

    public void Dispose() => _bus?.Dispose();

    private HubConnectionContext Local(string connectionId) =>
        _connections[connectionId] ?? throw new InvalidOperationException(
            $"connection {connectionId} is not on this node: a hub changes the groups of its own caller only");

    private Task SendEach(HubBus.Target target, IReadOnlyList<string> ids, string methodName, object?[] args)
    {
        var message = Invocation(methodName, args);
        return Task.WhenAll(ids.Distinct(StringComparer.Ordinal).Select(id => Send(target, id, message, [])));
    }

    /// <summary>
    /// Writes to this node's connections at once, then hands the message to the bus for the other nodes without waiting
    /// for Redis: messages a node publishes reach each other node in the order sent, and a client that missed one (its
    /// node lost Redis a moment) catches up by seq.
    /// </summary>
    private Task Send(HubBus.Target target, string id, SerializedHubMessage message, IReadOnlyList<string> excluded)
    {
        var published = _bus?.Publish(target, id, message, _protocols, excluded) ?? false;
        return Deliver(target, id, message, excluded, serialized: published);
    }

    /// <summary>What another node sent: written as it came, already serialized.</summary>
    private Task Deliver(HubBus.Target target, string id, SerializedHubMessage message, IReadOnlyList<string> excluded) =>
        Deliver(target, id, message, excluded, serialized: true);

    /// <summary>
    /// Writes a message to the connections of this node it is for; a connection that cannot take it is closing. A message
    /// for one connection that nothing has serialized yet is written straight into that connection's pipe, without an
    /// array of its bytes made first (the usual push: one visitor, one agent; issue 18); for several, it is serialized
    /// once for all of them.
    /// </summary>
    private Task Deliver(HubBus.Target target, string id, SerializedHubMessage message, IReadOnlyList<string> excluded, bool serialized)
    {
        var direct = serialized ? null : message.Message;
        switch (target)
        {
            case HubBus.Target.All:
                List<Task>? pending = null;
                foreach (var connection in _connections)
                    Write(connection, message, excluded, ref pending);
                return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
            case HubBus.Target.Connection:
                return _connections[id] is { } one ? Write(one, message, direct) : Task.CompletedTask;
            default:
                var holders = target == HubBus.Target.User ? _users : _groups;
                if (!holders.TryGetValue(id, out var connections))
                    return Task.CompletedTask;
                if (connections.Length == 1 && excluded.Count == 0)
                    return Write(connections[0], message, direct);
                List<Task>? some = null;
                foreach (var connection in connections)
                    Write(connection, message, excluded, ref some);
                return some is null ? Task.CompletedTask : Task.WhenAll(some);
        }
    }

    private void Write(HubConnectionContext connection, SerializedHubMessage message, IReadOnlyList<string> excluded, ref List<Task>? pending)
    {
        if (excluded.Count > 0 && excluded.Contains(connection.ConnectionId))
            return;
        var write = connection.WriteAsync(message);
        if (!write.IsCompletedSuccessfully)
            (pending ??= []).Add(Observed(write, connection.ConnectionId));
    }

    private Task Write(HubConnectionContext connection, SerializedHubMessage message, HubMessage? direct)
    {
        var write = direct is not null ? connection.WriteAsync(direct) : connection.WriteAsync(message);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : Observed(write, connection.ConnectionId);
    }

    private async Task Observed(ValueTask write, string connectionId)
    {
        try
        {
            await write;
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "A write to connection {ConnectionId} failed; it is closing", connectionId);
        }
    }

    private static SerializedHubMessage Invocation(string methodName, object?[] args) => new(new InvocationMessage(methodName, args));

    private static void Add(ConcurrentDictionary<string, HubConnectionContext[]> index, string key, HubConnectionContext connection) =>
        index.AddOrUpdate(key, static (_, c) => [c], static (_, held, c) => held.Contains(c) ? held : [.. held, c], connection);

    private static void Remove(ConcurrentDictionary<string, HubConnectionContext[]> index, string key, HubConnectionContext connection)
    {
        while (index.TryGetValue(key, out var held))
        {
            var left = Array.FindAll(held, c => c != connection);
            if (left.Length == held.Length)
                return;
            var replaced = left.Length == 0
                ? index.TryRemove(KeyValuePair.Create(key, held))
                : index.TryUpdate(key, left, held);
            if (replaced)
                return;
        }
    }

    /// <summary>The groups a connection is in, so they let it go when it closes.</summary>
    private sealed class GroupsFeature
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public IReadOnlyList<string> Names
        {
            get
            {
                lock (_names)
                    return [.. _names];
            }
        }

        public bool Add(string name)
        {
            lock (_names)
                return _names.Add(name);
        }

        public bool Remove(string name)
        {
            lock (_names)
                return _names.Remove(name);
        }
    }
}
