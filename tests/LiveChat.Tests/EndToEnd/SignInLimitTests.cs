using System.Text.Json;

namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// Password guessing is held back before any password is checked: a username tried wrongly too often from one address
/// waits there, longer each time, and an address that fails too often waits whatever names it tries. The person
/// themself, mistyping a couple of times or signing in from their own address meanwhile, is never refused.
/// </summary>
public sealed class SignInLimitTests
{
    private const string Guesser = "203.0.113.50";
    private const string Office = "203.0.113.60";

    [Fact]
    public async Task AGuesserWaitsLongerEachTimeWhileThePersonSignsInFromTheirOwnAddress()
    {
        var logs = new RecordingLogs();
        var clock = new ShiftedTime();
        await using var server = await StartAsync(logs, clock: clock);
        using var http = server.Http();

        // Three wrong tries in a row are free; each one after makes the next wait, twice as long as the last.
        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            wrong.Add((await SignIn(http, "ada", "guess" + i, Guesser)).StatusCode);
        using var tooSoon = await SignIn(http, "ada", "guess4", Guesser);
        clock.Shift += TimeSpan.FromSeconds(1.5);
        wrong.Add((await SignIn(http, "ada", "guess5", Guesser)).StatusCode);
        clock.Shift += TimeSpan.FromSeconds(2.5);
        wrong.Add((await SignIn(http, "ada", "guess6", Guesser)).StatusCode);
        using var held = await SignIn(http, "ada", "guess7", Guesser);
        using var heldRight = await SignIn(http, "ada", TestCredentials.Password, Guesser);
        using var fromTheOffice = await SignIn(http, "ada", TestCredentials.Password, Office);

        Assert.All(wrong, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.InRange(await AssertTooMany(tooSoon, "too many failed sign-ins for ada: wait before trying again"), 1, 1);
        Assert.InRange(await AssertTooMany(held, "too many failed sign-ins for ada: wait before trying again"), 3, 4);
        // Even the right password waits at the guesser's address: it is where the guessing happens.
        await AssertTooMany(heldRight, "too many failed sign-ins for ada");
        Assert.Equal(HttpStatusCode.OK, fromTheOffice.StatusCode);
        Assert.Contains(logs.Lines, line => line.Contains($"Sign-in for ada from {Guesser} refused"));
        Assert.Contains(logs.Lines, line => line.Contains($"Sign-in for ada from {Guesser} failed"));
    }

    [Fact]
    public async Task AnAgentWhoMistypesTwiceSignsInOnTheThirdTry()
    {
        await using var server = await StartAsync();
        using var http = server.Http();

        using var first = await SignIn(http, "ada", "pasword", Office);
        using var second = await SignIn(http, "ada", "Password", Office);
        using var third = await SignIn(http, "ada", TestCredentials.Password, Office);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK], [first.StatusCode, second.StatusCode, third.StatusCode]);
    }

    [Fact]
    public async Task AnAddressThatFailsTooOftenWaitsWhateverNamesItTries()
    {
        await using var server = await StartAsync(failuresPerAddress: 5);
        using var http = server.Http();

        foreach (var name in new[] { "root", "admin", "ada", "sue", "test" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignIn(http, name, "123456", Guesser)).StatusCode);
        using var sixth = await SignIn(http, "sue", TestCredentials.Password, Guesser);
        using var elsewhere = await SignIn(http, "sue", TestCredentials.Password, Office);

        var retryAfter = await AssertTooMany(sixth, "too many failed sign-ins from your address: at most 5 in 15 minutes");
        Assert.InRange(retryAfter, 14 * 60, 15 * 60);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    private static Task<LiveChatTestServer> StartAsync(RecordingLogs? logs = null, int failuresPerAddress = 30, TimeProvider? clock = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:TrustedProxies:0"] = "127.0.0.1",
            ["LiveChat:Limits:SignInFailuresPerAddress"] = failuresPerAddress.ToString(),
        };
        TestUsers.Add(settings, 0, "ada");
        TestUsers.Add(settings, 1, "sue", role: "supervisor");
        return LiveChatTestServer.StartAsync(settings, time: clock, logs: logs);
    }

    private static async Task<HttpResponseMessage> SignIn(HttpClient http, string username, string password, string from)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = JsonContent.Create(new { username, password }) };
        request.Headers.Add("X-Forwarded-For", from);
        return await http.SendAsync(request);
    }

    /// <summary>A 429 in words, with the wait in Retry-After (returned) and in the detail.</summary>
    private static async Task<int> AssertTooMany(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = problem.RootElement.GetProperty("detail").GetString();
        Assert.StartsWith(reason, detail);
        Assert.EndsWith($"try again in {retryAfter} s", detail);
        return retryAfter;
    }
}
