using System.Collections.Concurrent;
using LiveChat.Server.Reliability;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Hubs;

/// <summary>
/// Retries hub calls through a node's death or a Redis restart (<see cref="TransientRetry"/>), and turns a grain's
/// refusal, or a failure that outlasted the retries, into a HubException, whose message SignalR passes on as it is.
/// </summary>
internal sealed class ChatRuleHubFilter(TransientRetry retry) : IHubFilter
{
    // "VisitorHub.SendMessage", made once per method rather than on every call.
    private static readonly ConcurrentDictionary<(Type Hub, string Method), string> Names = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var name = Names.GetOrAdd((context.Hub.GetType(), context.HubMethodName), static key => $"{key.Hub.Name}.{key.Method}");
        try
        {
            return await retry.Run(() => next(context).AsTask(), name, context.Context.ConnectionAborted);
        }
        catch (ChatRuleException ex)
        {
            throw new HubException(ex.Message);
        }
        catch (ServiceMovingException)
        {
            throw new HubException(ServiceMovingException.Text);
        }
    }

    // Presence (the agent hub's Connect and Disconnect) rides out a failover the same way.
    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next) =>
        retry.Run(() => next(context), $"{context.Hub.GetType().Name} connect", context.Context.ConnectionAborted);

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next) =>
        retry.Run(() => next(context, exception), $"{context.Hub.GetType().Name} disconnect", CancellationToken.None);
}
