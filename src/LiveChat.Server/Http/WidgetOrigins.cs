using LiveChat.Server.Options;
using LiveChat.Server.Visitors;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Http;

/// <summary>
/// Refuses <c>/hubs/visitor</c> (its negotiate and its WebSocket) to browser pages of sites not in
/// <c>LiveChat:Widget:AllowedOrigins</c>. CORS guards the widget's HTTP calls, but a browser opens a WebSocket to any
/// server without asking it, so only this check keeps a site that was not allowed from embedding the chat. A request
/// without an Origin header (an app, a server, a test) is no browser page and passes; the node's own pages pass.
/// </summary>
internal static class WidgetOrigins
{
    public const string VisitorHubPath = "/hubs/visitor";

    public static IApplicationBuilder UseWidgetOriginCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count == 0 || !context.Request.Path.StartsWithSegments(VisitorHubPath))
        {
            await next(context);
            return;
        }
        var widget = context.RequestServices.GetRequiredService<IOptions<LiveChatOptions>>().Value.Widget;
        if (origin.Count == 1 && IsAllowed(origin.ToString(), context.Request.Host, widget))
        {
            await next(context);
            return;
        }
        await context.WriteProblemAsync(StatusCodes.Status403Forbidden, "This site may not use the chat.",
            $"pages from {VisitorFields.Shorten(origin.ToString())} may not connect to this chat server: the site is not in its allowed origins (LiveChat:Widget:AllowedOrigins)");
    });

    public static bool IsAllowed(string origin, HostString host, WidgetOptions widget) =>
        widget.AllowsAnyOrigin
        || widget.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)
        || IsSameHost(origin, host);

    /// <summary>
    /// A page of this node: the Origin's host and port are the ones the browser addressed (the Host header). Behind a
    /// proxy that passes the Host header without its port (nginx's <c>$host</c>), the host name alone decides. The scheme
    /// is not compared, as a proxy that ends TLS talks plain HTTP to the node.
    /// </summary>
    private static bool IsSameHost(string origin, HostString host) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && host.HasValue
        && string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase)
        && (host.Port ?? uri.Port) == uri.Port;
}
