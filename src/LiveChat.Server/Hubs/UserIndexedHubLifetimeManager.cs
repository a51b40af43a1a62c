using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Hubs;

/// <summary>
/// The single-node lifetime manager, with each user's connections kept by user id. SignalR's default finds a user's
/// connections by looking through every connection of the hub, so each push cost time in proportion to the
/// connections held; every message pushes to a visitor and an agent, so on a busy node that scan was a large share
/// of the CPU per message. With the Redis backplane a user is a channel already, and this class is not used.
/// </summary>
public sealed class UserIndexedHubLifetimeManager<THub>(ILogger<DefaultHubLifetimeManager<THub>> logger)
    : DefaultHubLifetimeManager<THub>(logger) where THub : Hub
{
    // Arrays replaced whole, never changed in place, so a send reads a consistent set without a lock.
    private readonly ConcurrentDictionary<string, string[]> _connectionsByUser = new(StringComparer.Ordinal);

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await base.OnConnectedAsync(connection);
        if (connection.UserIdentifier is { } user)
            _connectionsByUser.AddOrUpdate(user, static (_, id) => [id], static (_, ids, id) => [.. ids, id], connection.ConnectionId);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (connection.UserIdentifier is { } user)
            Forget(user, connection.ConnectionId);
        return base.OnDisconnectedAsync(connection);
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _connectionsByUser.TryGetValue(userId, out var ids) ? SendEach(ids, methodName, args, cancellationToken) : Task.CompletedTask;

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendEach(userIds.Distinct(StringComparer.Ordinal).SelectMany(user => _connectionsByUser.TryGetValue(user, out var ids) ? ids : []).ToArray(),
            methodName, args, cancellationToken);

    /// <summary>Sends to each connection by id: a dictionary lookup each, where the default's list send scans them all too.</summary>
    private Task SendEach(string[] connectionIds, string methodName, object?[] args, CancellationToken cancellationToken) =>
        connectionIds.Length switch
        {
            0 => Task.CompletedTask,
            1 => SendConnectionAsync(connectionIds[0], methodName, args, cancellationToken),
            _ => Task.WhenAll(connectionIds.Select(id => SendConnectionAsync(id, methodName, args, cancellationToken))),
        };

    private void Forget(string user, string connectionId)
    {
        while (_connectionsByUser.TryGetValue(user, out var ids))
        {
            var left = Array.FindAll(ids, id => id != connectionId);
            if (left.Length == ids.Length)
                return;
            var replaced = left.Length == 0
                ? _connectionsByUser.TryRemove(KeyValuePair.Create(user, ids))
                : _connectionsByUser.TryUpdate(user, left, ids);
            if (replaced)
                return;
        }
    }
}
