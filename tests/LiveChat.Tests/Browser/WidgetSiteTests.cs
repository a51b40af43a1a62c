using Microsoft.AspNetCore.SignalR;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>
/// The widget as a guest on other people's pages: an origin the server does not allow, the demo page, the host page's
/// styles, the offline message form, announcements, and using it with the keyboard only.
/// </summary>
[Collection(BrowserServerCollection.Name)]
public sealed class WidgetSiteTests
{
    // The host page's own styles, read from the elements the shop page styles globally.
    private const string HostStyles = """
        () => ['body', '#shop-title', '#shop-text', '#shop-button'].map(selector => {
          const s = getComputedStyle(document.querySelector(selector));
          return [selector, s.backgroundColor, s.color, s.borderTopStyle, s.borderTopWidth, s.borderTopColor, s.fontFamily,
            s.fontSize, s.margin, s.padding, s.display, s.position, s.width, s.height].join(' | ');
        })
        """;

    private readonly BrowserServer _fixture;

    private Floor Floor => _fixture.Floor;

    public WidgetSiteTests(BrowserServer fixture)
    {
        _fixture = fixture;
        SetDefaultExpectTimeout(10_000);
    }

    [Fact]
    public async Task OnASiteTheServerDoesNotAllowTheWidgetSaysItCannotReachTheServerAndStoresNothing()
    {
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(Floor.Queue(3), _fixture.ForeignSite));
        await using var browser = widget.Page.Context;

        await widget.Launcher.ClickAsync();

        await Expect(widget.Panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Cannot reach the chat server");
        await Expect(widget.Panel.GetByRole(AriaRole.Button, new() { Name = "Try again" })).ToBeVisibleAsync();
        Assert.Equal(0, await widget.Page.EvaluateAsync<int>("() => localStorage.length"));
    }

    [Fact]
    public async Task TheDemoPageChatsEndToEnd()
    {
        await using var dan = await _fixture.Server.ConnectOnlineAgent(BrowserServer.DemoAgent);
        var assigned = dan.Record<ConversationView>("ConversationAssigned");
        var received = dan.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.Page("/"));
        await using var browser = widget.Page.Context;

        await widget.StartChatAsync("Dora");
        var id = (await assigned.Next()).ConversationId;
        await widget.SendAsync("Do the Fjell boots come in size 46?");
        await received.Next(m => m.Text == "Do the Fjell boots come in size 46?");
        await dan.InvokeAsync<MessageAck>("SendMessage", id, "d-1", "They do! Size 46 ships tomorrow.").WaitAsync(Clients.Timeout);
        await dan.InvokeAsync("SetTyping", id, true).WaitAsync(Clients.Timeout);

        await Expect(widget.Status).ToHaveTextAsync($"You are chatting with {Floor.DisplayName(BrowserServer.DemoAgent)}");
        await Expect(widget.LastMessage).ToHaveTextAsync("They do! Size 46 ships tomorrow.");
        await Expect(widget.Typing).ToHaveTextAsync($"{Floor.DisplayName(BrowserServer.DemoAgent)} is typing…");
        await BrowserServer.ScreenshotAsync(widget.Page, "widget");
    }

    [Fact]
    public async Task TheWidgetAndTheHostPageKeepTheirOwnStyles()
    {
        var queue = Floor.Queue();
        var bare = await _fixture.NewPageAsync();
        await using var bareBrowser = bare.Context;
        await bare.RouteAsync("**/widget.js", route => route.AbortAsync());
        await bare.GotoAsync(_fixture.ShopPage(queue).ToString());
        var hostAlone = await bare.EvaluateAsync<string[]>(HostStyles);

        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await Expect(widget.Launcher).ToBeVisibleAsync();

        Assert.Contains("rgb(200, 0, 0)", hostAlone[3]);
        Assert.Equal(hostAlone, await widget.Page.EvaluateAsync<string[]>(HostStyles));
        Assert.NotEqual("rgb(200, 0, 0)", await widget.Launcher.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));

        await widget.Launcher.ClickAsync();
        var name = widget.Page.GetByLabel("Your name");
        await Expect(name).ToBeVisibleAsync();
        Assert.Equal(hostAlone, await widget.Page.EvaluateAsync<string[]>(HostStyles));
        Assert.NotEqual("dotted", await name.EvaluateAsync<string>("e => getComputedStyle(e).borderTopStyle"));
        Assert.NotEqual("dotted", await widget.Panel.EvaluateAsync<string>("e => getComputedStyle(e).borderTopStyle"));
    }

    [Fact]
    public async Task WithNoAgentOnlineTheVisitorLeavesAMessage()
    {
        var text = $"Please call me back about order {Guid.NewGuid():N}";
        var queue = Floor.Queue();
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;

        await widget.Launcher.ClickAsync();
        await Expect(widget.Panel.GetByText("No one is available right now")).ToBeVisibleAsync();
        await widget.Page.GetByLabel("Your name").FillAsync("Olga");
        await widget.Page.GetByLabel("Email", new() { Exact = true }).FillAsync("not-an-email");
        await widget.Page.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await widget.Page.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();

        await Expect(widget.Panel.Locator(".field-error").Filter(new() { Visible = true })).ToHaveTextAsync("'not-an-email' is not an email address");
        await Expect(widget.Page.GetByLabel("Email", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");

        await widget.Page.GetByLabel("Email", new() { Exact = true }).FillAsync("olga@example.com");
        await widget.Page.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();

        await Expect(widget.Panel.GetByText("Thank you! We got your message")).ToBeVisibleAsync();
        await using var supervisor = (await _fixture.Server.ConnectSupervisor(_fixture.Supervisor())).Hub;
        var stored = await supervisor.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", queue).WaitAsync(Clients.Timeout);
        var message = Assert.Single(stored, m => m.Text == text);
        Assert.Equal(("Olga", "olga@example.com"), (message.Name, message.Email));
    }

    [Fact]
    public async Task AnAnnouncementShowsAsABannerUntilItIsWithdrawn()
    {
        var text = $"Deliveries are delayed today ({Guid.NewGuid():N})";
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        await using var bea = await _fixture.Server.ConnectOnlineAgent(agent);
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Bill");
        await Expect(widget.Status).ToHaveTextAsync($"You are chatting with {Floor.DisplayName(agent)}");
        await using var supervisor = (await _fixture.Server.ConnectSupervisor(_fixture.Supervisor())).Hub;

        var announcement = await supervisor.InvokeAsync<Announcement>("PublishAnnouncement", new AnnouncementRequest(text, "warning", 5)).WaitAsync(Clients.Timeout);
        try
        {
            var banner = widget.Panel.Locator(".banner");
            await Expect(banner).ToHaveTextAsync(text);
            await Expect(banner).ToHaveClassAsync("banner warning");

            await supervisor.InvokeAsync("WithdrawAnnouncement", announcement.Id).WaitAsync(Clients.Timeout);
            await Expect(banner).ToHaveCountAsync(0);
        }
        finally
        {
            try
            {
                await supervisor.InvokeAsync("WithdrawAnnouncement", announcement.Id).WaitAsync(Clients.Timeout);
            }
            catch (HubException)
            {
                // Already withdrawn by the test itself.
            }
        }
    }

    [Fact]
    public async Task AnAnnouncementAlreadyActiveShowsBeforeTheVisitorStartsAChat()
    {
        var text = $"Payments are down, we are on it ({Guid.NewGuid():N})";
        var queue = Floor.Queue(3);
        await using var bea = await _fixture.Server.ConnectOnlineAgent(Floor.Agent(queue));
        await using var supervisor = (await _fixture.Server.ConnectSupervisor(_fixture.Supervisor())).Hub;
        var announcement = await supervisor.InvokeAsync<Announcement>("PublishAnnouncement", new AnnouncementRequest(text, "critical", 5)).WaitAsync(Clients.Timeout);
        try
        {
            var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
            await using var browser = widget.Page.Context;
            await widget.Launcher.ClickAsync();

            await Expect(widget.Page.GetByLabel("Your name")).ToBeVisibleAsync();
            var banner = widget.Panel.Locator(".banner");
            await Expect(banner).ToHaveTextAsync(text);
            await Expect(banner).ToHaveClassAsync("banner critical");
        }
        finally
        {
            await supervisor.InvokeAsync("WithdrawAnnouncement", announcement.Id).WaitAsync(Clients.Timeout);
        }
    }

    [Fact]
    public async Task TheWholeChatWorksWithTheKeyboard()
    {
        var queue = Floor.Queue(3);
        await using var kit = await _fixture.Server.ConnectOnlineAgent(Floor.Agent(queue));
        var received = kit.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        var keyboard = widget.Page.Keyboard;
        await Expect(widget.Launcher).ToBeVisibleAsync();

        await Eventually.True(async () =>
        {
            await keyboard.PressAsync("Tab");
            return await widget.Launcher.EvaluateAsync<bool>("e => e.getRootNode().activeElement === e");
        }, "Tab reaches the launcher");
        await keyboard.PressAsync("Enter");
        await Expect(widget.Panel).ToBeVisibleAsync();
        await Expect(widget.Page.GetByLabel("Your name")).ToBeFocusedAsync();
        await keyboard.TypeAsync("Kim");
        await keyboard.PressAsync("Enter");
        await Expect(widget.Composer).ToBeFocusedAsync();
        await keyboard.TypeAsync("Typed, not clicked");
        await keyboard.PressAsync("Shift+Enter");
        await keyboard.TypeAsync("on two lines");
        await keyboard.PressAsync("Enter");

        var message = await received.Next(m => m.SenderRole == "visitor");
        Assert.Equal("Typed, not clicked\non two lines", message.Text);
        await Expect(widget.LastMessage).ToHaveTextAsync("Typed, not clicked\non two lines");
        await keyboard.PressAsync("Escape");
        await Expect(widget.Panel).ToBeHiddenAsync();
        await Expect(widget.Launcher).ToBeFocusedAsync();
    }
}
