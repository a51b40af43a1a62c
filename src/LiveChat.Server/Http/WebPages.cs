using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace LiveChat.Server.Http;

/// <summary>
/// The web pages: the demo site at <c>/</c>, the agent console at <c>/agent</c>, the supervisor dashboard at
/// <c>/supervisor</c>, and <c>/widget.js</c> for customers' sites. They are built from <c>src/LiveChat.Web</c> with
/// npm during the server's build, into <c>wwwroot</c> next to the server's assembly.
/// </summary>
internal static class WebPages
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    // The pages load only their own script and stylesheet and talk only to this node: 'self' covers its WebSockets too
    // (ws: for an http page, wss: for https). Scripts style elements through the CSSOM (and the widget through a
    // constructed stylesheet), which style-src 'self' allows.
    private const string PageSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

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
    }

    private static void MapPage(WebApplication app, string path, string file) =>
        app.MapGet(path, (HttpContext context) =>
        {
            var full = Path.Combine(Root, file);
            if (!File.Exists(full))
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Page not built.",
                    detail: $"{file} is missing: build the server with Node.js and npm installed");
            SetPageHeaders(context.Response);
            return Results.File(full, "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();

    private static void SetPageHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = PageSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
    }
}
