using LiveChat.Server.Options;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LiveChat.Server.Http;

/// <summary>
/// The web pages: the demo site at <c>/</c>, the agent console at <c>/agent</c>, the supervisor dashboard at
/// <c>/supervisor</c>, and for customers' sites <c>/widget.js</c> and the widget's frame at <c>/widget/frame</c>. They are built from <c>src/LiveChat.Web</c> with
/// npm during the server's build, into <c>wwwroot</c> next to the server's assembly.
/// </summary>
internal static class WebPages
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    // The pages load only their own script and stylesheet and talk only to this node: 'self' covers its WebSockets too
    // (ws: for an http page, wss: for https). Scripts style elements through the CSSOM (and the widget through a
    // constructed stylesheet), which style-src 'self' allows.
    private const string OwnOriginOnly =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

    private const string PageSecurityPolicy = OwnOriginOnly + "; frame-ancestors 'none'";

    public static void MapWebPages(this WebApplication app)
    {
        if (!File.Exists(Path.Combine(Root, "widget.js")))
            app.Logger.LogWarning("The web pages are not built ({Root} has no widget.js): build the server with Node.js and npm installed", Root);
        var files = Directory.Exists(Root) ? (IFileProvider)new PhysicalFileProvider(Root) : new NullFileProvider();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                // Revalidated on every load (cheap, with the ETag), so a new release reaches every site at once.
                headers.CacheControl = "no-cache";
                // Any site may load the widget's script; its API calls are what CORS governs.
                if (context.File.Name.StartsWith("widget.", StringComparison.Ordinal))
                    headers.AccessControlAllowOrigin = "*";
                if (context.File.Name.EndsWith(".html", StringComparison.Ordinal))
                    SetPageHeaders(context.Context.Response);
            },
        });
        MapPage(app, "/", "index.html");
        MapPage(app, "/agent", "agent.html");
        MapPage(app, "/supervisor", "supervisor.html");
        MapPage(app, "/widget/frame", "widget-frame.html", SetWidgetFrameHeaders);
    }

    private static void MapPage(WebApplication app, string path, string file, Action<HttpResponse>? setHeaders = null) =>
        app.MapGet(path, (HttpContext context) =>
        {
            var full = Path.Combine(Root, file);
            if (!File.Exists(full))
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Page not built.",
                    detail: $"{file} is missing: build the server with Node.js and npm installed");
            (setHeaders ?? SetPageHeaders)(context.Response);
            return Results.File(full, "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();

    private static void SetPageHeaders(HttpResponse response)
    {
        SetCommonHeaders(response);
        response.Headers.ContentSecurityPolicy = PageSecurityPolicy;
        response.Headers[HeaderNames.XFrameOptions] = "DENY";
    }

    /// <summary>
    /// The widget's frame may be shown by the node's own pages and by the sites in <c>LiveChat:Widget:AllowedOrigins</c>
    /// (any site with <c>*</c>), and by no other: the browser enforces <c>frame-ancestors</c>, so a site that was not
    /// allowed shows nothing, while the frame's own calls to this node are same-origin.
    /// </summary>
    private static void SetWidgetFrameHeaders(HttpResponse response)
    {
        SetCommonHeaders(response);
        var widget = response.HttpContext.RequestServices.GetRequiredService<IOptions<LiveChatOptions>>().Value.Widget;
        response.Headers.ContentSecurityPolicy = $"{OwnOriginOnly}; frame-ancestors {FrameAncestors(widget)}";
    }

    public static string FrameAncestors(WidgetOptions widget) =>
        widget.AllowsAnyOrigin ? "*" : string.Join(' ', ["'self'", .. widget.AllowedOrigins]);

    private static void SetCommonHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
    }
}
