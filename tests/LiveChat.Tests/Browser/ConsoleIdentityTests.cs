using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>What the consoles show of identity: verified visitors, and a token that renews itself while the page is open.</summary>
[Collection(BrowserServerCollection.Name)]
public sealed class ConsoleIdentityTests(BrowserServer fixture)
{
    [Fact]
    public async Task TheAgentConsoleMarksAVerifiedVisitorAndNotAnAnonymousOne()
    {
        var queue = fixture.Floor.Queue(3);
        var page = await fixture.AgentOnlineAsync(fixture.Floor.Agent(queue));
        await using var verified = await StartSignedChat("customer-88", "Greta", queue, "Where is order 88?");
        await using var anonymous = await fixture.Server.StartVisitorChat("Hugo", queue, "Just browsing");

        await Expect(page.Conversation("Greta").Locator(".verified-tag")).ToHaveTextAsync("verified");
        await Expect(page.Conversation("Hugo")).ToContainTextAsync("Just browsing");
        await Expect(page.Conversation("Hugo").Locator(".verified-tag")).ToHaveCountAsync(0);
        await page.Conversation("Greta").ClickAsync();
        await Expect(page.Locator(".conversation-header")).ToContainTextAsync("Verified visitor");
        await page.Conversation("Hugo").ClickAsync();
        await Expect(page.Locator(".conversation-header")).Not.ToContainTextAsync("Verified visitor");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheAgentConsoleRenewsItsTokenBeforeItExpires()
    {
        var agent = fixture.Floor.Agent(fixture.Floor.Queue(3));
        var page = await fixture.NewPageAsync();
        await page.Clock.InstallAsync();
        await page.GotoAsync(fixture.Page("/agent").ToString());
        await page.GetByLabel("Username").FillAsync(agent);
        await page.GetByLabel("Password").FillAsync(TestUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(".connection")).ToHaveTextAsync("Connected");

        // Ten hours into a twelve-hour token, the console has asked for a new one by itself.
        var renewal = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/auth/refresh"));
        await page.Clock.FastForwardAsync("10:00:00");
        var response = await renewal;

        Assert.Equal(200, response.Status);
        var renewed = (await response.JsonAsync())!.Value.GetProperty("accessToken").GetString()!;
        var kept = await page.EvaluateAsync<string>("() => sessionStorage.getItem('livechat:agent:token')");
        Assert.Equal(renewed, JsonDocument.Parse(kept).RootElement.GetProperty("accessToken").GetString());
        await Expect(page.Locator(".connection")).ToHaveTextAsync("Connected");
        await page.Context.CloseAsync();
    }

    /// <summary>A visitor whose site signed the session for its user <paramref name="userId"/>, chatting in <paramref name="queue"/>.</summary>
    private async Task<VisitorChat> StartSignedChat(string userId, string name, string queue, string text)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(BrowserServer.SiteSecret), Encoding.UTF8.GetBytes($"{userId}\n{timestamp}")));
        using var http = fixture.Server.Http();
        var response = await http.PostAsJsonAsync("/api/visitor/session", new { name, userId, timestamp, signature });
        response.EnsureSuccessStatusCode();
        var session = (await response.Content.ReadFromJsonAsync<VisitorSessionResponse>())!;
        var chat = new VisitorChat(session, fixture.Server.Hub("/hubs/visitor", session.AccessToken));
        await chat.Hub.StartAsync().WaitAsync(Clients.Timeout);
        chat.View = await chat.Hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(queue, Text: text)).WaitAsync(Clients.Timeout);
        return chat;
    }
}
