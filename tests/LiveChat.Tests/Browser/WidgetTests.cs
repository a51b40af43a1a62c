using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>
/// A visitor chats through the widget on the customer's site, in Chromium, with an agent on the real .NET client:
/// messages both ways, typing, read receipts, waiting in the queue, resuming after a reload, resending after a lost
/// connection, text that looks like HTML, and the rating at the end.
/// </summary>
[Collection(BrowserServerCollection.Name)]
public sealed class WidgetTests
{
    private readonly BrowserServer _fixture;

    private Floor Floor => _fixture.Floor;

    public WidgetTests(BrowserServer fixture)
    {
        _fixture = fixture;
        SetDefaultExpectTimeout(10_000);
    }

    [Fact]
    public async Task VisitorAndAgentChatBothWaysWithTypingAndReadReceipts()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        await using var ana = await _fixture.Server.ConnectOnlineAgent(agent);
        var assigned = ana.Record<ConversationView>("ConversationAssigned");
        var received = ana.Record<ChatMessage>("MessageReceived");
        var typing = ana.Record<TypingIndicator>("TypingChanged");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;

        await widget.StartChatAsync("Vera");
        var conversation = await assigned.Next();
        await Expect(widget.Status).ToHaveTextAsync($"You are chatting with {Floor.DisplayName(agent)}");
        Assert.Equal("Vera", conversation.VisitorName);

        await widget.Composer.PressSequentiallyAsync("My order is late");
        Assert.True((await typing.Next(t => t.IsTyping)).IsTyping);
        await widget.Composer.PressAsync("Enter");
        var fromVisitor = await received.Next(m => m.SenderRole == "visitor");
        Assert.Equal("My order is late", fromVisitor.Text);
        Assert.False((await typing.Next()).IsTyping);

        await ana.InvokeAsync("SetTyping", conversation.ConversationId, true).WaitAsync(Clients.Timeout);
        await Expect(widget.Typing).ToHaveTextAsync($"{Floor.DisplayName(agent)} is typing…");
        await ana.InvokeAsync<MessageAck>("SendMessage", conversation.ConversationId, "a-1", "Sorry! Let me check.").WaitAsync(Clients.Timeout);
        await Expect(widget.LastMessage).ToHaveTextAsync("Sorry! Let me check.");
        await Expect(widget.Locator("ol.messages > li.agent .sender").Last).ToHaveTextAsync(Floor.DisplayName(agent));
        await Expect(widget.Typing).ToBeEmptyAsync();

        await Expect(widget.Seen).ToHaveCountAsync(0);
        await ana.InvokeAsync("MarkRead", conversation.ConversationId, fromVisitor.Seq).WaitAsync(Clients.Timeout);
        await Expect(widget.Seen).ToHaveCountAsync(1);
        await Expect(widget.Messages.Filter(new() { Has = widget.Locator(".seen") }).Locator(".text")).ToHaveTextAsync("My order is late");
    }

    [Fact]
    public async Task AReloadContinuesTheSameConversationWithItsWholeHistory()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        await using var ray = await _fixture.Server.ConnectOnlineAgent(agent);
        var assigned = ray.Record<ConversationView>("ConversationAssigned");
        var received = ray.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Rosa");
        var id = (await assigned.Next()).ConversationId;

        for (var i = 1; i <= 3; i++)
        {
            await widget.SendAsync($"visitor {i}");
            await received.Next(m => m.Text == $"visitor {i}");
            await ray.InvokeAsync<MessageAck>("SendMessage", id, $"ray-{i}", $"agent {i}").WaitAsync(Clients.Timeout);
            await Expect(widget.LastMessage).ToHaveTextAsync($"agent {i}");
        }
        string[] history = [$"{Floor.DisplayName(agent)} joined the conversation.", "visitor 1", "agent 1", "visitor 2", "agent 2", "visitor 3", "agent 3"];
        await Expect(widget.Texts).ToHaveTextAsync(history);

        await widget.Page.ReloadAsync();

        await Expect(widget.Panel).ToBeVisibleAsync();
        await Expect(widget.Status).ToHaveTextAsync($"You are chatting with {Floor.DisplayName(agent)}");
        await Expect(widget.Texts).ToHaveTextAsync(history);
        await widget.SendAsync("after the reload");
        var after = await received.Next(m => m.Text == "after the reload");
        Assert.Equal(id, after.ConversationId);
        Assert.Single(assigned.All);
    }

    [Fact]
    public async Task AMessageWrittenWhileOfflineIsPendingThenDeliveredExactlyOnce()
    {
        var queue = Floor.Queue(3);
        await using var pen = await _fixture.Server.ConnectOnlineAgent(Floor.Agent(queue));
        var assigned = pen.Record<ConversationView>("ConversationAssigned");
        var received = pen.Record<ChatMessage>("MessageReceived");
        // Chromium's offline mode stops new requests but leaves an open WebSocket alone, so the test holds the
        // widget's socket (passed through to the server) to cut it, as a dropped network would.
        var page = await _fixture.NewPageAsync();
        await using var browser = page.Context;
        IWebSocketRoute? socket = null;
        await page.RouteWebSocketAsync(new Regex("/hubs/visitor"), ws =>
        {
            ws.ConnectToServer();
            socket = ws;
        });
        await page.GotoAsync(_fixture.ShopPage(queue).ToString());
        var widget = new WidgetPage(page);
        await widget.StartChatAsync("Paula");
        var id = (await assigned.Next()).ConversationId;
        await widget.SendAsync("before going offline");
        await received.Next(m => m.Text == "before going offline");
        // Its ack has reached the widget too: otherwise it would still be pending, rightly, when the socket is cut.
        await Expect(widget.LastMessage).ToHaveTextAsync("before going offline");
        await Expect(widget.Pending).ToHaveCountAsync(0);

        await page.Context.SetOfflineAsync(true);
        await socket!.CloseAsync(new() { Code = 4000, Reason = "network lost" });
        await Expect(widget.Connection).ToHaveTextAsync("Reconnecting…");
        await widget.SendAsync("written while offline");
        await Expect(widget.Pending).ToHaveCountAsync(1);
        await Expect(widget.Pending.Locator(".meta")).ToHaveTextAsync("Sending…");
        Assert.DoesNotContain(received.All, m => m.Text == "written while offline");

        await widget.Page.Context.SetOfflineAsync(false);
        await Expect(widget.Pending).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Expect(widget.Connection).ToBeHiddenAsync();
        await Expect(widget.LastMessage).ToHaveTextAsync("written while offline");
        // A later message arrives after any duplicate of the earlier one would have.
        await widget.SendAsync("back online");
        await received.Next(m => m.Text == "back online");

        Assert.Single(received.All, m => m.Text == "written while offline");
        var history = await pen.InvokeAsync<ChatMessage[]>("GetMessages", id, 0L, 500).WaitAsync(Clients.Timeout);
        Assert.Single(history, m => m.Text == "written while offline");
        await Expect(widget.Texts.Filter(new() { HasTextString = "written while offline" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task AWaitingVisitorSeesPositionAndWaitThenTheAgentsName()
    {
        var queue = Floor.Queue(1);
        var agent = Floor.Agent(queue, max: 1);
        await using var walt = await _fixture.Server.ConnectOnlineAgent(agent);
        // Two assignments in the queue give it a rate, so the wait can be estimated; walt then holds his one chat.
        await using var first = await _fixture.Server.StartVisitorChat("Fred", queue);
        Assert.Equal(ConversationStatus.Active, first.View.Status);
        await walt.InvokeAsync<ConversationView>("CloseConversation", first.Id).WaitAsync(Clients.Timeout);
        await using var second = await _fixture.Server.StartVisitorChat("Greta", queue);
        Assert.Equal(ConversationStatus.Active, second.View.Status);
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;

        await widget.StartChatAsync("Wanda");

        await Expect(widget.Status).ToHaveTextAsync("You are number 1 in the queue. Expected wait: less than a minute.");
        await walt.InvokeAsync<ConversationView>("CloseConversation", second.Id).WaitAsync(Clients.Timeout);
        await Expect(widget.Status).ToHaveTextAsync($"You are chatting with {Floor.DisplayName(agent)}");
        await Expect(widget.LastMessage).ToHaveTextAsync($"{Floor.DisplayName(agent)} joined the conversation.");
    }

    [Fact]
    public async Task AnOpenWidgetOffersTheChatOnceAnAgentComesOnlineAndTheOfflineFormOnceEveryoneLeftWithoutAReload()
    {
        var queue = Floor.Queue(1);
        var agent = Floor.Agent(queue, max: 1);
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await widget.Launcher.ClickAsync();
        await Expect(widget.Status).ToHaveTextAsync("We are away");

        // The widget asks every 10 s while its form is open.
        await using var walt = await _fixture.Server.ConnectOnlineAgent(agent);
        await Expect(widget.GetByRole(AriaRole.Button, new() { Name = "Start chat" })).ToBeVisibleAsync(new() { Timeout = 25_000 });
        await Expect(widget.Status).ToHaveTextAsync("We are online");

        await walt.InvokeAsync<AgentView>("SetStatus", "Away").WaitAsync(Clients.Timeout);
        await Expect(widget.GetByRole(AriaRole.Button, new() { Name = "Send message" })).ToBeVisibleAsync(new() { Timeout = 25_000 });
        await Expect(widget.Status).ToHaveTextAsync("We are away");
    }

    [Fact]
    public async Task AWaitingVisitorHearsAtOnceWhenTheLastAgentLeaves()
    {
        var queue = Floor.Queue(1);
        var agent = Floor.Agent(queue, max: 1);
        await using var walt = await _fixture.Server.ConnectOnlineAgent(agent);
        await using var first = await _fixture.Server.StartVisitorChat("Fred", queue);
        Assert.Equal(ConversationStatus.Active, first.View.Status);
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Wanda");
        await Expect(widget.Status).ToContainTextAsync("in the queue");

        await walt.InvokeAsync<AgentView>("SetStatus", "Away").WaitAsync(Clients.Timeout);

        await Expect(widget.GetByRole(AriaRole.Alert)).ToHaveTextAsync("No agent is online right now. You can keep waiting, or end the chat and leave a message.");
    }

    [Fact]
    public async Task TextThatLooksLikeHtmlShowsAsTextBothWays()
    {
        const string fromVisitor = "<img src=x onerror=alert(1)>";
        const string fromAgent = "<script>alert(2)</script><b>bold</b>";
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        await using var xia = await _fixture.Server.ConnectOnlineAgent(agent);
        var assigned = xia.Record<ConversationView>("ConversationAssigned");
        var received = xia.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        var dialogs = 0;
        widget.Page.Dialog += (_, dialog) =>
        {
            Interlocked.Increment(ref dialogs);
            _ = dialog.DismissAsync();
        };
        await widget.StartChatAsync("<i>Mallory</i>");
        var id = (await assigned.Next()).ConversationId;

        await widget.SendAsync(fromVisitor);
        Assert.Equal(fromVisitor, (await received.Next(m => m.SenderRole == "visitor")).Text);
        await xia.InvokeAsync<MessageAck>("SendMessage", id, "x-1", fromAgent).WaitAsync(Clients.Timeout);

        await Expect(widget.LastMessage).ToHaveTextAsync(fromAgent);
        await Expect(widget.Texts).ToHaveTextAsync([$"{Floor.DisplayName(agent)} joined the conversation.", fromVisitor, fromAgent]);
        var markup = await widget.EvaluateInFrameAsync<int>(
            "() => document.querySelector('livechat-widget').shadowRoot.querySelectorAll('ol.messages img, ol.messages script, ol.messages b, ol.messages i').length");
        Assert.Equal(0, markup);
        Assert.Equal(0, await widget.Page.Locator("img, b, i").CountAsync());
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task WhenTheAgentClosesTheChatTheVisitorRatesIt()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        await using var rita = await _fixture.Server.ConnectOnlineAgent(agent);
        var assigned = rita.Record<ConversationView>("ConversationAssigned");
        var updates = rita.Record<ConversationView>("ConversationUpdated");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Rob");
        var id = (await assigned.Next()).ConversationId;
        await widget.SendAsync("Thanks, that solved it");

        await rita.InvokeAsync<ConversationView>("CloseConversation", id).WaitAsync(Clients.Timeout);

        await Expect(widget.Status).ToHaveTextAsync("This chat has ended.");
        await Expect(widget.LastMessage).ToHaveTextAsync($"{Floor.DisplayName(agent)} closed the conversation.");
        await Expect(widget.GetByText("How was this chat?")).ToBeVisibleAsync();
        await Expect(widget.Composer).ToHaveCountAsync(0);
        await widget.GetByRole(AriaRole.Button, new() { Name = "4 stars" }).ClickAsync();
        await widget.GetByLabel("Comment (optional)").FillAsync("Quick and friendly");
        await widget.GetByRole(AriaRole.Button, new() { Name = "Send rating" }).ClickAsync();

        await Expect(widget.GetByText("Thank you for chatting with us!")).ToBeVisibleAsync();
        var rated = await updates.Next(v => v.Rating is not null);
        Assert.Equal(4, rated.Rating!.Score);
        Assert.Equal("Quick and friendly", rated.Rating.Comment);
        await Expect(widget.GetByRole(AriaRole.Button, new() { Name = "Start a new chat" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TheVisitorEndsTheChatAndStartsANewOne()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        await using var eve = await _fixture.Server.ConnectOnlineAgent(agent);
        var assigned = eve.Record<ConversationView>("ConversationAssigned");
        var updates = eve.Record<ConversationView>("ConversationUpdated");
        var received = eve.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Emil");
        var first = (await assigned.Next()).ConversationId;

        await widget.Panel.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();

        var closed = await updates.Next(v => v.Status == ConversationStatus.Closed);
        Assert.Equal(first, closed.ConversationId);
        await Expect(widget.LastMessage).ToHaveTextAsync("Emil closed the conversation.");
        await widget.GetByRole(AriaRole.Button, new() { Name = "Start a new chat" }).ClickAsync();
        await Expect(widget.GetByLabel("Your name")).ToHaveValueAsync("Emil");
        await widget.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();

        var second = (await assigned.Next()).ConversationId;
        Assert.NotEqual(first, second);
        await Expect(widget.Texts).ToHaveTextAsync([$"{Floor.DisplayName(agent)} joined the conversation."]);
        await widget.SendAsync("One more question");
        Assert.Equal(second, (await received.Next(m => m.Text == "One more question")).ConversationId);
    }

    [Fact]
    public async Task AStoredTokenTheServerNoLongerKnowsStartsAFreshVisitor()
    {
        var queue = Floor.Queue(3);
        await using var sol = await _fixture.Server.ConnectOnlineAgent(Floor.Agent(queue));
        var assigned = sol.Record<ConversationView>("ConversationAssigned");
        var widget = await WidgetPage.OpenAsync(_fixture, _fixture.ShopPage(queue));
        await using var browser = widget.Page.Context;
        var key = WidgetPage.MemoryKey(_fixture.Server, queue);
        await widget.EvaluateInFrameAsync("([key, value]) => localStorage.setItem(key, value)", new[]
        {
            key, """{"visitorId":"v_gone","token":"not-a-token","name":"Old","conversationId":"c_gone","open":true}""",
        });

        await widget.Page.ReloadAsync();

        await Expect(widget.GetByLabel("Your name")).ToHaveValueAsync("");
        Assert.Null(await widget.EvaluateInFrameAsync<string?>("key => localStorage.getItem(key)", key));
        // The panel was open before the reload, so it is open again.
        await widget.GetByLabel("Your name").FillAsync("Nina");
        await widget.GetByLabel("Your name").PressAsync("Enter");
        var view = await assigned.Next();
        Assert.Equal("Nina", view.VisitorName);
        Assert.NotEqual("v_gone", view.VisitorId);
        Assert.Contains(view.VisitorId, await widget.EvaluateInFrameAsync<string>("key => localStorage.getItem(key)", key));
    }
}

/// <summary>
/// The widget on a customer's page: widget.js places a frame of the chat server's origin, and the widget draws itself
/// inside it (in a shadow root, which Playwright's locators pierce). What the visitor sees is found in that frame.
/// </summary>
internal sealed class WidgetPage(IPage page)
{
    public IPage Page => page;
    public ILocator FrameElement => page.Locator("iframe[data-livechat-widget]");
    public IFrameLocator Frame => FrameElement.ContentFrame;
    public ILocator Launcher => Frame.Locator("button.launcher");
    public ILocator Panel => Frame.GetByRole(AriaRole.Dialog, new() { Name = "Chat with us" });
    public ILocator Status => Frame.Locator("header .status");
    public ILocator Connection => Frame.Locator(".connection");
    public ILocator Typing => Frame.Locator(".typing");
    public ILocator Messages => Frame.Locator("ol.messages > li");
    public ILocator Texts => Messages.Locator(".text");
    public ILocator LastMessage => Texts.Last;
    public ILocator Pending => Frame.Locator("ol.pending-list > li");
    public ILocator Seen => Frame.Locator("ol.messages .seen");
    public ILocator Composer => Frame.GetByLabel("Your message");

    public ILocator Locator(string selector) => Frame.Locator(selector);
    public ILocator GetByLabel(string text, FrameLocatorGetByLabelOptions? options = null) => Frame.GetByLabel(text, options);
    public ILocator GetByRole(AriaRole role, FrameLocatorGetByRoleOptions? options = null) => Frame.GetByRole(role, options);
    public ILocator GetByText(string text) => Frame.GetByText(text);

    /// <summary>The key under which the widget keeps its visitor in its frame's localStorage, for a node and queue.</summary>
    public static string MemoryKey(ILiveChatNode node, string queue) => $"livechat:{node.BaseAddress.GetLeftPart(UriPartial.Authority)}:{queue}";

    /// <summary>The widget's frame itself, to run script in it (its storage is the chat server's, not the page's).</summary>
    public async Task<IFrame> ContentAsync()
    {
        var element = await FrameElement.ElementHandleAsync();
        return await element.ContentFrameAsync() ?? throw new InvalidOperationException("the widget's frame has no document");
    }

    public async Task<T> EvaluateInFrameAsync<T>(string expression, object? arg = null) =>
        await (await ContentAsync()).EvaluateAsync<T>(expression, arg);

    public async Task EvaluateInFrameAsync(string expression, object? arg = null) =>
        await (await ContentAsync()).EvaluateAsync(expression, arg);

    public static async Task<WidgetPage> OpenAsync(BrowserServer fixture, Uri url)
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(url.ToString());
        return new WidgetPage(page);
    }

    /// <summary>Opens the panel and starts a chat with the pre-chat form.</summary>
    public async Task StartChatAsync(string name)
    {
        await Launcher.ClickAsync();
        await GetByLabel("Your name").FillAsync(name);
        await GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        await Expect(Composer).ToBeVisibleAsync();
    }

    public async Task SendAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
    }
}
