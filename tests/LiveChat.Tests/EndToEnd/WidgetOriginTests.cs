using System.Text.Json;
using System.Text.Json.Serialization;
using LiveChat.Server.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// Browser pages of sites that are not allowed cannot reach the visitor hub, by negotiate or by WebSocket; allowed sites,
/// the node's own pages and clients that are no browser page (no Origin header) can.
/// </summary>
public sealed class WidgetOriginTests(ShopServer fixture) : IClassFixture<ShopServer>
{
    private const string Stranger = "https://copycat.example";

    private LiveChatTestServer Server => fixture.Server;

    [Fact]
    public async Task ANegotiateFromASiteThatIsNotAllowedGetsA403ThatSaysWhy()
    {
        using var http = Server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/visitor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", Stranger);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("pages from https://copycat.example may not connect to this chat server: the site is not in its allowed origins (LiveChat:Widget:AllowedOrigins)",
            problem.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task APageFromASiteThatIsNotAllowedCannotConnect(bool skipNegotiation)
    {
        var session = await Server.OpenVisitorSession("Copycat");
        await using var hub = VisitorHub(Server, session.AccessToken, Stranger, skipNegotiation);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => hub.StartAsync().WaitAsync(Clients.Timeout));

        Assert.Contains("403", refused is HttpRequestException { StatusCode: { } status } ? ((int)status).ToString() : refused.Message);
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
    }

    [Theory]
    [InlineData(ShopServer.Shop)]
    [InlineData("HTTPS://SHOP.EXAMPLE")]
    [InlineData(null)]
    [InlineData("own")]
    public async Task TheAllowedSiteTheNodesOwnPagesAndClientsWithoutOriginConnect(string? origin)
    {
        if (origin == "own")
            origin = Server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var session = await Server.OpenVisitorSession("Welcome");
        foreach (var skipNegotiation in new[] { false, true })
        {
            await using var hub = VisitorHub(Server, session.AccessToken, origin, skipNegotiation);
            await hub.StartAsync().WaitAsync(Clients.Timeout);
            Assert.Equal(HubConnectionState.Connected, hub.State);
        }
    }

    [Fact]
    public async Task ThePagesOfAnotherPortOnTheSameHostAreAnotherSite()
    {
        var session = await Server.OpenVisitorSession("Neighbour");
        var otherPort = new UriBuilder(Server.BaseAddress) { Port = Server.BaseAddress.Port == 1 ? 2 : Server.BaseAddress.Port - 1 }.Uri;
        await using var hub = VisitorHub(Server, session.AccessToken, otherPort.GetLeftPart(UriPartial.Authority), skipNegotiation: false);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync().WaitAsync(Clients.Timeout));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task AStarAllowsEverySite()
    {
        await using var open = await LiveChatTestServer.StartAsync(new Dictionary<string, string?> { ["LiveChat:Widget:AllowedOrigins:0"] = "*" });
        var session = await open.OpenVisitorSession("Anywhere");
        await using var hub = VisitorHub(open, session.AccessToken, Stranger, skipNegotiation: false);

        await hub.StartAsync().WaitAsync(Clients.Timeout);

        Assert.Equal(HubConnectionState.Connected, hub.State);
    }

    /// <summary>The visitor hub as a browser page of <paramref name="origin"/> reaches it (no Origin header when null).</summary>
    private static HubConnection VisitorHub(LiveChatTestServer server, string token, string? origin, bool skipNegotiation) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/visitor"), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = skipNegotiation;
                if (origin is not null)
                    o.Headers["Origin"] = origin;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
}
