using LiveChat.Server.Reliability;
namespace LiveChat.Server.Http;

/// <summary>The API's requests ride out a failover like hub calls do; one that outlasts the retries is a 503 that says why.</summary>
internal sealed class RetryEndpointFilter(TransientRetry retry) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        try
        {
            return await retry.Run(() => next(context).AsTask(), $"{request.Method} {request.Path}", context.HttpContext.RequestAborted);
        }
        catch (ServiceMovingException)
        {
            context.HttpContext.Response.Headers.RetryAfter = "2";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "LiveChat is briefly unavailable.", detail: ServiceMovingException.Text);
        }
    }
}
