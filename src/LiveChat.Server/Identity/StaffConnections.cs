using System.Collections.Concurrent;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Identity;

/// <summary>
/// The open hub connections of agents and supervisors on this node, closed once their user is disabled or removed from
/// <c>LiveChat:Users</c>. A token is checked only when a connection opens, so without this a removed agent would keep
/// an open console until the token expires. The check runs every <c>LiveChat:Auth:UserCheckSeconds</c>, and a hub call
/// made meanwhile is refused on the spot.
/// </summary>
public sealed class StaffConnections(UserDirectory users, StaffSessions sessions, IOptions<LiveChatOptions> options, ILogger<StaffConnections> logger)
    : BackgroundService, IHubFilter
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new(StringComparer.Ordinal);

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        // Only once connected: a connect that throws gets no disconnect, which would leave its entry here for good.
        if (IsStaff(context.Context))
            _open[context.Context.ConnectionId] = context.Context;
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _open.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (IsStaff(invocation.Context) && !StillActive(invocation.Context))
        {
            invocation.Context.Abort();
            throw new HubException("signed out: this user signed out, or is disabled or no longer configured");
        }
        return next(invocation);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Auth.UserCheckSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // Sign-outs made on other nodes arrive with the versions.
            await sessions.Refresh();
            CloseWithdrawn();
        }
    }

    /// <summary>Closes the connections of users who were disabled, removed or signed out.</summary>
    public void CloseWithdrawn()
    {
        foreach (var connection in _open.Values.Where(c => !StillActive(c)))
        {
            logger.LogInformation("Closing connection {ConnectionId} of {UserId}: the user signed out, or is disabled or no longer configured",
                connection.ConnectionId, connection.UserIdentifier);
            _open.TryRemove(connection.ConnectionId, out _);
            connection.Abort();
        }
    }

    private static bool IsStaff(HubCallerContext context) => Role(context) is Roles.Agent or Roles.Supervisor;

    private bool StillActive(HubCallerContext context) =>
        users.IsActive(context.UserIdentifier ?? "", Role(context) ?? "")
        && context.User is not null && sessions.KnownSignedIn(context.UserIdentifier ?? "", context.Claims().Version);

    private static string? Role(HubCallerContext context) => context.Claims().Role;
}
