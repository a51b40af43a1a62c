using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace LiveChat.Tests.Browser;

/// <summary>
/// One LiveChat node, a customer's site on another origin that embeds the widget, a third origin that is not allowed,
/// and a headless Chromium (Debian's, never a downloaded one) driven by Playwright.
/// Each test takes its own queue, agents and supervisor from the <see cref="NodeFixture.Floor"/>, so tests sharing the
/// node never see each other's chats.
/// </summary>
public sealed class BrowserServer : NodeFixture
{
    /// <summary>
    /// The demo page's queue: the node's default queue, which the page at / names none and so chats in. It and its agent
    /// stay named (not taken from the floor) because the demo page is the product's own, not a test's: it cannot be told
    /// a floor queue, and a node always has a default queue.
    /// </summary>
    public const string DemoQueue = "support";

    /// <summary>The one agent of <see cref="DemoQueue"/>, for the test that chats on the demo page.</summary>
    public const string DemoAgent = "dan";

    private readonly string _supervisors;

    public BrowserServer()
    {
        // Enough for every browser test, with some to spare: queues with one agent of limit 3, 2 or 1, queues nobody serves.
        Floor.Add(queues: 34, 3).Add(queues: 4, 2).Add(queues: 4, 1).Add(queues: 8);
        // The supervisors serve a queue of their own that no test writes to; each test takes one of them.
        _supervisors = Floor.Add(queues: 1, [.. Enumerable.Repeat(Seat.Supervisor(), 20)]).Queue(Seat.Supervisor());
    }

    /// <summary>The site's secret for signing visitor sessions (verified visitors).</summary>
    public const string SiteSecret = "the-browser-tests-site-secret-for-visitors";

    /// <summary>A supervisor no other test has: signed in to the dashboard or on the supervisor hub, they see every queue.</summary>
    public string Supervisor() => Floor.Supervisor(_supervisors);

    /// <summary>The customer's site: an allowed origin whose pages embed the widget.</summary>
    public Uri Site { get; private set; } = null!;

    /// <summary>A site whose origin is not in <c>LiveChat:Widget:AllowedOrigins</c>.</summary>
    public Uri ForeignSite { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    private IPlaywright _playwright = null!;
    private WebApplication _site = null!;
    private WebApplication _foreign = null!;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["LiveChat:DefaultQueue"] = DemoQueue;
        settings["LiveChat:DashboardIntervalMilliseconds"] = "100";
        settings["LiveChat:Widget:AllowedOrigins:0"] = Origin(Site);
        settings["LiveChat:Identity:Secret"] = SiteSecret;
        TestUsers.Add(settings, 0, DemoAgent, max: 3, queues: DemoQueue);
    }

    public override async Task InitializeAsync()
    {
        var chromium = FindChromium();
        (_site, Site) = await StartSiteAsync();
        (_foreign, ForeignSite) = await StartSiteAsync();
        await base.InitializeAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Root in a container has no user namespace for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
        foreach (var site in new[] { _site, _foreign })
        {
            if (site is not null)
                await site.DisposeAsync();
        }
    }

    /// <summary>A fresh browser profile (its own storage), as a different person on a different machine would have.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(10_000);
        context.SetDefaultNavigationTimeout(15_000);
        // Anything the pages' Content Security Policy blocks is recorded, for ScreenshotAsync to check.
        await context.AddInitScriptAsync(
            "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`), true);");
        return await context.NewPageAsync();
    }

    /// <summary>The customer's page embedding the widget for <paramref name="queue"/>, of this node or of <paramref name="node"/>.</summary>
    public Uri ShopPage(string queue, Uri? site = null, ILiveChatNode? node = null) =>
        new(site ?? Site, $"/shop?queue={Uri.EscapeDataString(queue)}&livechat={Uri.EscapeDataString((node ?? Server).BaseAddress.ToString())}");

    public Uri Page(string path) => new(Server.BaseAddress, path);

    /// <summary>
    /// Saves a screenshot into artifacts/screenshots at the repository root, where CI keeps it, after checking that the
    /// page, as it now is, broke none of its Content Security Policy.
    /// </summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        // The page and its frames (the widget's frame has its own policy).
        var violations = new List<string>();
        foreach (var frame in page.Frames)
            violations.AddRange(await frame.EvaluateAsync<string[]>("() => window.__cspViolations ?? []"));
        Assert.True(violations.Count == 0, $"the {name} page broke its Content Security Policy: {string.Join("; ", violations)}");
        var directory = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private static string FindChromium()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "The browser tests need Debian's Chromium, which is not installed: run ./test.sh (it installs it), or apt-get install -y chromium, or set CHROMIUM_PATH.");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LiveChat.sln")))
                return directory.FullName;
        }
        return AppContext.BaseDirectory;
    }

    /// <summary>
    /// A customer's web site on its own loopback port (so its own origin). <c>/shop?queue=Q&amp;livechat=URL</c> is a
    /// page with its own styles and the one-line widget embed pointing at the LiveChat node.
    /// </summary>
    private static async Task<(WebApplication, Uri)> StartSiteAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/shop", (string queue, string livechat) =>
        {
            var script = new Uri(new Uri(livechat), "/widget.js");
            var html = $$"""
                <!doctype html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Customer shop</title>
                  <style>
                    body { font-family: serif; background: rgb(250, 240, 230); color: rgb(40, 30, 20); }
                    button { background: rgb(200, 0, 0); color: rgb(255, 255, 0); }
                    div, p, input { border: 3px dotted rgb(0, 128, 0); }
                  </style>
                </head>
                <body>
                  <h1 id="shop-title">Customer shop</h1>
                  <p id="shop-text">Our own page, with our own styles.</p>
                  <button id="shop-button" type="button">Our own button</button>
                  <script src="{{WebUtility.HtmlEncode(script.ToString())}}" data-queue="{{WebUtility.HtmlEncode(queue)}}" async></script>
                </body>
                </html>
                """;
            return Results.Content(html, "text/html; charset=utf-8");
        });
        await app.StartAsync();
        return (app, new Uri(app.Urls.First()));
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserServerCollection : ICollectionFixture<BrowserServer>
{
    public const string Name = "browser";
}
