using LiveChat.Server.Hosting;

namespace LiveChat.Server.Http;

/// <summary>
/// Until the node has started (<see cref="NodeStartup"/>: it may listen while it waits for Redis), the API and the hubs
/// answer 503 with a problem+json that says so and a <c>Retry-After</c>, rather than reach grains that are not there yet.
/// The web pages and <c>/healthz</c> answer as usual.
/// </summary>
internal static class StartupGate
{
    public const string Title = "LiveChat is starting.";
    public const string Detail = "This LiveChat server is starting and cannot serve chats yet; please try again in a moment.";

    public static IApplicationBuilder UseStartupGate(this IApplicationBuilder app)
    {
        var startup = app.ApplicationServices.GetRequiredService<NodeStartup>();
        return app.Use((context, next) =>
        {
            if (startup.IsReady || !(context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs")))
                return next(context);
            context.Response.Headers.RetryAfter = "2";
            return context.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable, Title, Detail);
        });
    }
}
