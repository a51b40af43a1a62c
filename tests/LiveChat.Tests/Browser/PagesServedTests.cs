using System.Net;
using LiveChat.Tests.Infrastructure;
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
