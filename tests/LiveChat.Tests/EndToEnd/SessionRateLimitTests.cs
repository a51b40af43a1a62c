using System.Text.Json;

namespace LiveChat.Tests.EndToEnd;

/// <summary>One address may open only so many visitor sessions a minute; past that it is told, with a 429, when to come back.</summary>
public sealed class SessionRateLimitTests
{
    private const string Shop = "https://shop.example";

    [Fact]
    public async Task ASessionFloodFromOneAddressGetsA429ThatSaysWhenToComeBack()
    {
        await using var server = await StartAsync(("LiveChat:Limits:SessionsPerMinute", "3"));
        using var http = server.Http();

        // A forwarded address from a client that is no trusted proxy changes nothing: anyone can write the header.
        var sessions = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
            sessions.Add(await OpenSession(http, forwardedFor: $"203.0.113.{i + 1}"));

        Assert.All(sessions.Take(3), s => Assert.Equal(HttpStatusCode.OK, s.StatusCode));
        var refused = sessions[3];
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.InRange(retryAfter, 1, 60);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal($"too many chat sessions from your address: at most 3 a minute; try again in {retryAfter} s",
            problem.RootElement.GetProperty("detail").GetString());
        // The widget on an allowed site can read why (CORS headers on the 429 too), and how long to wait.
        Assert.Equal(Shop, Assert.Single(refused.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("Retry-After", refused.Headers.GetValues("Access-Control-Expose-Headers").SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)), StringComparer.OrdinalIgnoreCase);

        // Visitors who already have a session chat on.
        var first = (await sessions[0].Content.ReadFromJsonAsync<VisitorSessionResponse>())!;
        await using var visitor = await server.ConnectVisitor(first);
        var view = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(Text: "hello")).WaitAsync(Clients.Timeout);
        Assert.Equal(1, view.LastSeq);
        sessions.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task BehindATrustedProxyEachClientAddressHasItsOwnAllowance()
    {
        await using var server = await StartAsync(("LiveChat:Limits:SessionsPerMinute", "2"), ("LiveChat:TrustedProxies:0", "127.0.0.1"));
        using var http = server.Http();

        var first = await OpenSession(http, forwardedFor: "203.0.113.7");
        var second = await OpenSession(http, forwardedFor: "203.0.113.7");
        var third = await OpenSession(http, forwardedFor: "203.0.113.7");
        var neighbour = await OpenSession(http, forwardedFor: "203.0.113.8");
        // A client's own X-Forwarded-For entry before the proxy's is not believed: the proxy's last entry is the address.
        var spoofed = await OpenSession(http, forwardedFor: "198.51.100.1, 203.0.113.7");

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK, HttpStatusCode.TooManyRequests],
            new[] { first, second, third, neighbour, spoofed }.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task OfflineMessagesFromOneAddressAreLimitedInWordsWhileAnotherAddressIsHeard()
    {
        await using var server = await StartAsync(("LiveChat:Limits:OfflineMessagesPerHour", "3"), ("LiveChat:TrustedProxies:0", "127.0.0.1"));
        using var http = server.Http();

        var fromSpammer = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
            fromSpammer.Add(await LeaveMessage(http, "203.0.113.20", $"buy cheap watches {i}"));
        var fromCustomer = await LeaveMessage(http, "203.0.113.21", "My order 1234 never arrived");

        Assert.All(fromSpammer.Take(3), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var refused = fromSpammer[3];
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")));
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal($"too many messages left from your address: at most 3 an hour; try again in {retryAfter} s", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Created, fromCustomer.StatusCode);
    }

    private static async Task<HttpResponseMessage> LeaveMessage(HttpClient http, string forwardedFor, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/visitor/offline-messages")
        {
            Content = JsonContent.Create(new { name = "Ann", email = "ann@example.com", text }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("Origin", Shop);
        return await http.SendAsync(request);
    }

    private static Task<LiveChatTestServer> StartAsync(params (string Key, string Value)[] limits)
    {
        var settings = new Dictionary<string, string?> { ["LiveChat:Widget:AllowedOrigins:0"] = Shop };
        foreach (var (key, value) in limits)
            settings[key] = value;
        return LiveChatTestServer.StartAsync(settings);
    }

    private static async Task<HttpResponseMessage> OpenSession(HttpClient http, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/visitor/session") { Content = JsonContent.Create(new { name = "Ann" }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("Origin", Shop);
        return await http.SendAsync(request);
    }
}
