using LiveChat.Server.Reliability;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Hubs;

/// <summary>
/// Retries hub calls through a node's death or a Redis restart (<see cref="TransientRetry"/>), and turns a grain's
/// refusal, or a failure that outlasted the retries, into a HubException, whose message SignalR passes on as it is.
/// </summary>
internal sealed class ChatRuleHubFilter(TransientRetry retry) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var deadline = retry.Started();
        try
        {
            // The first try straight through: no delegate, task or retry state made for a call that succeeds (issue 18).
            try
            {
                return await next(context);
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex))
            {
                return await retry.After(ex, deadline, () => next(context).AsTask(), $"{context.Hub.GetType().Name}.{context.HubMethodName}",
                    context.Context.ConnectionAborted);
            }
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
