using LiveChat.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Hubs;

/// <summary>Turns a grain's refusal into a HubException, whose message SignalR passes to the caller as it is.</summary>
internal sealed class ChatRuleHubFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (ChatRuleException ex)
        {
            throw new HubException(ex.Message);
        }
    }
}
