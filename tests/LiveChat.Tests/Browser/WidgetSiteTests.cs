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
    public async Task OnASiteTheServerDoesNotAllowTheBrowserRefusesTheWidgetsFrameAndNothingShows()
    {
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(Floor.Queue(3), _fixture.ForeignSite));
        await using var browser = widget.Page.Context;

        // The widget draws itself as its frame's page loads; refused (frame-ancestors), the frame holds the browser's
        // error page instead, and the page never shows it.
        var frame = await widget.ContentAsync();
        await frame.WaitForLoadStateAsync(LoadState.Load);
        Assert.Equal(0, await frame.Locator("livechat-widget").CountAsync());
        await Expect(widget.FrameElement).ToBeHiddenAsync();
        Assert.Equal(0, await widget.Page.EvaluateAsync<int>("() => localStorage.length"));
    }

    [Fact]
    public async Task AScriptOnTheSitesPageReadsNeitherTheVisitorsTokenNorTheChat()
    {
        const string secret = "My card number ends in 4242";
        var queue = Floor.Queue(3);
        await using var ivy = await _fixture.Server.ConnectOnlineAgent(Floor.Agent(queue));
        var received = ivy.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Iris");
        await widget.SendAsync(secret);
        await received.Next(m => m.Text == secret);
        await Expect(widget.LastMessage).ToHaveTextAsync(secret);
        var key = WidgetPage.MemoryKey(_fixture.Server, queue);
        var token = await widget.EvaluateInFrameAsync<string>("key => JSON.parse(localStorage.getItem(key)).token", key);
        Assert.False(string.IsNullOrEmpty(token), "the widget remembers its visitor token in its frame");

        // Everything a script of the site's page (a tag manager, an ad, an injected script) can look at.
        var reachable = await widget.Page.EvaluateAsync<string>(
            """
            () => {
              const seen = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), document.cookie,
                document.documentElement.outerHTML];
              const walk = root => {
                for (const element of root.querySelectorAll('*')) {
                  if (!element.shadowRoot) continue;
                  seen.push(element.shadowRoot.innerHTML);
                  walk(element.shadowRoot);
                }
              };
              walk(document);
              for (const frame of document.querySelectorAll('iframe')) {
                try {
                  seen.push(frame.contentDocument?.documentElement.outerHTML ?? '');
                  seen.push(JSON.stringify({ ...frame.contentWindow.localStorage }));
                } catch (error) {
                  seen.push(`refused: ${error.name}`);
                }
              }
              return seen.join('\n');
            }
            """);
        Assert.DoesNotContain(token, reachable);
        Assert.DoesNotContain(secret, reachable);
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
        var name = widget.GetByLabel("Your name");
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
        await widget.GetByLabel("Your name").FillAsync("Olga");
        await widget.GetByLabel("Email", new() { Exact = true }).FillAsync("not-an-email");
        await widget.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await widget.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();

        await Expect(widget.Panel.Locator(".field-error").Filter(new() { Visible = true })).ToHaveTextAsync("'not-an-email' is not an email address");
        await Expect(widget.GetByLabel("Email", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");

        await widget.GetByLabel("Email", new() { Exact = true }).FillAsync("olga@example.com");
        await widget.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();

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

            await Expect(widget.GetByLabel("Your name")).ToBeVisibleAsync();
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
        await Expect(widget.GetByLabel("Your name")).ToBeFocusedAsync();
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
