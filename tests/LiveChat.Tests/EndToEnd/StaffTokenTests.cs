using System.Text.Json;

namespace LiveChat.Tests.EndToEnd;

/// <summary>Agents' and supervisors' tokens: renewed before they expire, refused after, and withdrawn with the user.</summary>
[Collection(IdentityServerCollection.Name)]
public sealed class StaffTokenTests(IdentityServer fixture)
{
    private LiveChatTestServer Server => fixture.Server;

    [Fact]
    public async Task ARenewedTokenWorksAndExpiresLaterThanTheOneItReplaced()
    {
        var signedIn = await Server.SignIn("ada");
        try
        {
            fixture.Time.Shift = TimeSpan.FromHours(1);
            var response = await fixture.Refresh(signedIn.AccessToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var renewed = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;

            Assert.Equal(("agent", "ada", "Ada"), (renewed.Role, renewed.AgentId, renewed.DisplayName));
            Assert.InRange(renewed.ExpiresAt - signedIn.ExpiresAt, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
            await using var hub = Server.Hub("/hubs/agent", renewed.AccessToken);
            await hub.StartAsync().WaitAsync(Clients.Timeout);
            Assert.Equal("ada", (await hub.InvokeAsync<AgentView>("GetMe").WaitAsync(Clients.Timeout)).AgentId);

            // Past the first token's 12 hours, only the renewed one still works.
            fixture.Time.Shift = TimeSpan.FromHours(12.5);
            Assert.Equal(HttpStatusCode.OK, (await fixture.Refresh(renewed.AccessToken)).StatusCode);
            Assert.Contains("The token has expired", await Problem(await fixture.Refresh(signedIn.AccessToken), HttpStatusCode.Unauthorized));
        }
        finally
        {
            fixture.Time.Shift = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task SigningOutEndsTheSessionOnEveryDeviceAndClosesTheOpenConsole()
    {
        var laptop = await Server.SignIn("kim");
        var phone = await Server.SignIn("kim");
        await using var console = await Server.ConnectOnlineAgent("kim");
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        console.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        using var http = Server.Http();
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/api/auth/signout");
        signOut.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", laptop.AccessToken);
        using var signedOut = await http.SendAsync(signOut);
        await closed.Task.WaitAsync(Clients.Timeout);

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Contains("This session was signed out: sign in again.", await Problem(await fixture.Refresh(laptop.AccessToken), HttpStatusCode.Unauthorized));
        Assert.Contains("This session was signed out: sign in again.", await Problem(await fixture.Refresh(phone.AccessToken), HttpStatusCode.Unauthorized));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => Server.Hub("/hubs/agent", phone.AccessToken).StartAsync().WaitAsync(Clients.Timeout));
        Assert.Contains("401", refused.Message);
        // Signing in again works at once.
        var again = await Server.SignIn("kim");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Refresh(again.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RenewalsNeverCarryASessionPastItsHoursFromSignIn()
    {
        var signedIn = await Server.SignIn("ada");
        var began = fixture.Time.GetUtcNow();
        try
        {
            fixture.Time.Shift = TimeSpan.FromHours(11);
            var first = (await (await fixture.Refresh(signedIn.AccessToken)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<TokenResponse>())!;
            fixture.Time.Shift = TimeSpan.FromHours(22.5);
            var second = (await (await fixture.Refresh(first.AccessToken)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<TokenResponse>())!;
            fixture.Time.Shift = TimeSpan.FromHours(24) - TimeSpan.FromSeconds(30);
            var third = await fixture.Refresh(second.AccessToken);

            Assert.InRange(first.ExpiresAt - began, TimeSpan.FromHours(22.9), TimeSpan.FromHours(23.1));
            // The session's 24 hours bound the renewed token, not 12 hours from the renewal.
            Assert.InRange(second.ExpiresAt - began, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));
            Assert.Contains("This session began 24 hours ago, the longest one lasts: sign in again.", await Problem(third, HttpStatusCode.Unauthorized));
        }
        finally
        {
            fixture.Time.Shift = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task AnExpiredTokenIsRefusedByTheApiAndTheHubs()
    {
        var agent = await Server.SignIn("ada");
        var supervisor = await Server.SignIn("sue");
        try
        {
            fixture.Time.Shift = TimeSpan.FromHours(12) + TimeSpan.FromMinutes(1);

            Assert.Contains("The token has expired", await Problem(await fixture.Refresh(agent.AccessToken), HttpStatusCode.Unauthorized));
            await AssertRefused(Server.Hub("/hubs/agent", agent.AccessToken));
            await AssertRefused(Server.Hub("/hubs/supervisor", supervisor.AccessToken));
        }
        finally
        {
            fixture.Time.Shift = TimeSpan.Zero;
        }
        // The same tokens, within their lifetime, were good.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Refresh(agent.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RenewalWithoutAStaffTokenIsRefusedInWords()
    {
        using var http = Server.Http();
        var visitor = await Server.OpenVisitorSession("Vic");

        var none = await http.PostAsync("/api/auth/refresh", null);
        var forged = await fixture.Refresh("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl");
        var visitors = await fixture.Refresh(visitor.AccessToken);

        Assert.Contains("A bearer token is required.", await Problem(none, HttpStatusCode.Unauthorized));
        Assert.Contains("The token is not valid.", await Problem(forged, HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.Forbidden, visitors.StatusCode);
    }

    [Fact]
    public async Task ADisabledAgentIsRefusedAndTheirOpenConsoleIsClosed()
    {
        var dan = await Server.SignIn("dan");
        await using var console = await Server.ConnectOnlineAgent("dan");
        var closed = Closed(console);
        await using var colleague = await Server.ConnectOnlineAgent("ada");

        Server.Settings.Change(s => s[$"{UserAt("dan")}:Disabled"] = "true");

        await ClosedWithin(closed, "the disabled agent's console");
        Assert.Contains("disabled or no longer configured", await Problem(await fixture.Refresh(dan.AccessToken), HttpStatusCode.Unauthorized));
        await AssertRefused(Server.Hub("/hubs/agent", dan.AccessToken));
        Assert.Contains("wrong password", await Problem(await SignInResponse("dan"), HttpStatusCode.Unauthorized));
        // Everyone else carries on.
        Assert.Equal(HubConnectionState.Connected, colleague.State);
        Assert.Equal(AgentStatus.Online, (await colleague.InvokeAsync<AgentView>("GetMe").WaitAsync(Clients.Timeout)).Status);
    }

    [Fact]
    public async Task ASupervisorRemovedFromTheConfigurationIsSignedOut()
    {
        var rex = await Server.SignIn("rex");
        await using var dashboard = Server.Hub("/hubs/supervisor", rex.AccessToken);
        await dashboard.StartAsync().WaitAsync(Clients.Timeout);
        var closed = Closed(dashboard);

        var at = UserAt("rex");
        Server.Settings.Change(s =>
        {
            foreach (var key in s.Keys.Where(k => k.StartsWith(at + ":", StringComparison.OrdinalIgnoreCase)).ToList())
                s.Remove(key);
        });

        await ClosedWithin(closed, "the removed supervisor's dashboard");
        Assert.Contains("disabled or no longer configured", await Problem(await fixture.Refresh(rex.AccessToken), HttpStatusCode.Unauthorized));
        await AssertRefused(Server.Hub("/hubs/supervisor", rex.AccessToken));
    }

    /// <summary>The configuration prefix of a user, as the fixture configured them.</summary>
    private string UserAt(string username)
    {
        var index = Enumerable.Range(0, 10).First(i => Server.Settings.TryGet($"LiveChat:Users:{i}:Username", out var name) && name == username);
        return $"LiveChat:Users:{index}";
    }

    private static Task Closed(HubConnection hub)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    // The node checks every second here (LiveChat:Auth:UserCheckSeconds); 15 s by default.
    private static async Task ClosedWithin(Task closed, string what)
    {
        var timedOut = await Record.ExceptionAsync(() => closed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(timedOut is null, $"{what} was still open 10 s after the configuration changed");
    }

    private async Task<HttpResponseMessage> SignInResponse(string username)
    {
        using var http = Server.Http();
        return await http.PostAsJsonAsync("/api/auth/token", new { username, password = TestUsers.Password });
    }

    private static async Task AssertRefused(HubConnection hub)
    {
        await using (hub)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync().WaitAsync(Clients.Timeout));
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        }
    }

    private static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        return problem.RootElement.ToString();
    }
}
