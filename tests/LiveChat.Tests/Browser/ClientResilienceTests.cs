using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>
/// The pages when the server or the network stumbles (issue 15): nothing forgotten on a passing failure, a connection
/// closed for good started again, refusals that name a wait sent again after it, and an agent told why she came back
/// Away. Faults are made where they happen in life, in the network between the browser and the node (Playwright's
/// routing); the node and the browser are real.
/// </summary>
[Collection(BrowserServerCollection.Name)]
public sealed class ClientResilienceTests : IClassFixture<ResilienceNode>
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The close frame a node sends when it cannot set a connection up, for example when Redis stays away longer than
    /// its retries (<c>OnConnectedAsync</c> failed): no <c>allowReconnect</c>, so SignalR's client gives up on the
    /// connection instead of reconnecting.
    /// </summary>
    private const string ClosedForGood = "{\"type\":7,\"error\":\"Connection closed with an error.\"}\u001e";

    private readonly BrowserServer _browser;
    private readonly ResilienceNode _node;

    public ClientResilienceTests(BrowserServer browser, ResilienceNode node)
    {
        (_browser, _node) = (browser, node);
        SetDefaultExpectTimeout(10_000);
    }

    private LiveChatTestServer Node => _node.Server;

    private Floor Floor => _node.Floor;

    [Fact]
    public async Task AReloadWhileTheSessionAnswers503Then429ThenNothingKeepsTheVisitorAndHerChat()
    {
        var queue = Floor.Queue(3);
        var username = Floor.Agent(queue);
        await using var agent = await Node.ConnectOnlineAgent(username);
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        var received = agent.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_browser, _browser.ShopPage(queue, node: Node));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Tess");
        var id = (await assigned.Next()).ConversationId;
        await widget.SendAsync("My parcel is lost");
        await received.Next(m => m.Text == "My parcel is lost");
        var visitorId = await RememberedVisitor(widget, queue);

        // The failover answer first (with the server's own headers, so the CORS it exposes is the server's), then a 429
        // as many visitors behind one address get, then no answer at all; then the session goes through.
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sessions = 0;
        await widget.Page.RouteAsync("**/api/visitor/session", async route =>
        {
            switch (Interlocked.Increment(ref sessions))
            {
                case 1:
                    await FulfillLike(route, 503, retryAfter: "3", "LiveChat is briefly unavailable.",
                        "LiveChat is moving to another server and could not answer in time; please try again in a moment.");
                    break;
                case 2:
                    await released.Task;
                    await FulfillLike(route, 429, retryAfter: "1", "Too many chat sessions.",
                        "too many chat sessions from your address: at most 60 a minute; try again in 1 s");
                    break;
                case 3:
                    await route.AbortAsync("connectionfailed");
                    break;
                default:
                    await route.ContinueAsync();
                    break;
            }
        });

        await widget.Page.ReloadAsync();

        await Expect(widget.Panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("LiveChat is moving to another server");
        await Expect(widget.Panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("Trying again in 3 s…");
        released.SetResult();
        await Expect(widget.Panel.GetByRole(AriaRole.Alert)).ToContainTextAsync("too many chat sessions from your address");
        await Expect(widget.Status).ToHaveTextAsync($"You are chatting with {Floor.DisplayName(username)}", new() { Timeout = 20_000 });
        await Expect(widget.Texts.Filter(new() { HasTextString = "My parcel is lost" })).ToHaveCountAsync(1);
        Assert.True(sessions >= 4);

        await widget.SendAsync("Still here after the outage");
        Assert.Equal(id, (await received.Next(m => m.Text == "Still here after the outage")).ConversationId);
        Assert.Equal(visitorId, await RememberedVisitor(widget, queue));
        Assert.Single(assigned.All);
    }

    [Fact]
    public async Task AConnectionClosedForGoodIsStartedAgainAndAMessageWrittenMeanwhileArrivesOnce()
    {
        var queue = Floor.Queue(3);
        await using var agent = await Node.ConnectOnlineAgent(Floor.Agent(queue));
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        var received = agent.Record<ChatMessage>("MessageReceived");
        var page = await _browser.NewPageAsync();
        await using var browser = page.Context;
        var (socket, hubBlocked) = await HoldHub(page, "/hubs/visitor");
        await page.GotoAsync(_browser.ShopPage(queue, node: Node).ToString());
        var widget = new WidgetPage(page);
        await widget.StartChatAsync("Cleo");
        var id = (await assigned.Next()).ConversationId;
        await widget.SendAsync("before the close");
        await received.Next(m => m.Text == "before the close");
        await Expect(widget.Pending).ToHaveCountAsync(0);

        hubBlocked.Value = true;
        socket.Value!.Send(ClosedForGood);

        await Expect(widget.Connection).ToHaveTextAsync("Connection lost, reconnecting…");
        await widget.SendAsync("written while closed");
        await Expect(widget.Pending.Locator(".meta")).ToHaveTextAsync("Sending…");
        Assert.DoesNotContain(received.All, m => m.Text == "written while closed");

        hubBlocked.Value = false;
        await Expect(widget.Pending).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(widget.Connection).ToBeHiddenAsync();
        await widget.SendAsync("after the restart");
        await received.Next(m => m.Text == "after the restart");

        Assert.Single(received.All, m => m.Text == "written while closed");
        var history = await agent.InvokeAsync<ChatMessage[]>("GetMessages", id, 0L, 500).WaitAsync(Clients.Timeout);
        Assert.Equal(["before the close", "written while closed", "after the restart"], history.Where(m => m.SenderRole == "visitor").Select(m => m.Text));
        await Expect(widget.Texts.Filter(new() { HasTextString = "written while closed" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task MessagesTypedFasterThanTheVisitorsLimitAreAllDeliveredInOrder()
    {
        var queue = Floor.Queue(3);
        var username = Floor.Agent(queue);
        await using var agent = await Node.ConnectOnlineAgent(username);
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        var received = agent.Record<ChatMessage>("MessageReceived");
        var widget = await WidgetPage.OpenAsync(_browser, _browser.ShopPage(queue, node: Node));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Rhea");
        await assigned.Next();

        // The start took one of the two messages allowed at once; the rest are refused "retry after 1 s" as they come.
        string[] texts = ["one", "two", "three", "four"];
        foreach (var text in texts)
            await widget.SendAsync(text);

        foreach (var text in texts)
            await received.Next(m => m.Text == text, Long);
        Assert.Equal(texts, received.All.Where(m => m.SenderRole == "visitor").Select(m => m.Text));
        await Expect(widget.Pending).ToHaveCountAsync(0);
        await Expect(widget.Locator(".msg.failed")).ToHaveCountAsync(0);
        await Expect(widget.Texts).ToHaveTextAsync([$"{Floor.DisplayName(username)} joined the conversation.", .. texts]);
    }

    [Fact]
    public async Task AnAgentDisconnectedPastTheGracePeriodIsToldWhyAndGoesOnlineInOneClickWithHerUnsentReply()
    {
        var queue = Floor.Queue(3);
        var username = Floor.Agent(queue);
        var page = await _browser.NewPageAsync();
        await using var browser = page.Context;
        var (socket, hubBlocked) = await HoldHub(page, "/hubs/agent");
        await SignInOnline(page, username);
        await using var vera = await Node.StartVisitorChat("Vera", queue, "Is my order on its way?");
        await page.Conversation("Vera").ClickAsync();
        await Expect(page.Locator(".transcript .msg.visitor")).ToContainTextAsync("Is my order on its way?");

        // The network goes, for longer than the grace period: the node sets her Away and Vera goes back to the queue.
        hubBlocked.Value = true;
        await socket.Value!.CloseAsync();
        await Expect(page.Locator(".connection")).Not.ToHaveTextAsync("Connected");
        await page.ReplyAsync("Yes, it left the warehouse today.");
        await Expect(page.Locator(".transcript .msg.pending")).ToContainTextAsync("Waiting for the connection…");
        await vera.Messages.Next(m => m.SenderRole == "system" && m.Text.Contains("you are back in the queue"), Long);

        hubBlocked.Value = false;
        await Expect(page.Locator(".connection")).ToHaveTextAsync("Connected", new() { Timeout = 30_000 });
        var absence = page.Locator(".absence");
        await Expect(absence).ToContainTextAsync("While you were disconnected");
        await Expect(absence).ToContainTextAsync("you were set Away and your chat with Vera went back to the queue");
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Away" })).ToBeCheckedAsync();
        await Expect(page.Conversation("Vera")).ToHaveCountAsync(0);
        await Expect(page.Locator(".unsent")).ToContainTextAsync("Not sent to Vera");
        await Expect(page.Locator(".unsent")).ToContainTextAsync("Yes, it left the warehouse today.");
        Assert.DoesNotContain(vera.Messages.All, m => m.SenderRole == "agent");

        await absence.GetByRole(AriaRole.Button, new() { Name = "Go Online" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Online" })).ToBeCheckedAsync();
        await Expect(absence).ToBeHiddenAsync();
        // She is the queue's one agent, so Vera, at the head of it, comes back to her, with the reply she wrote.
        await page.Conversation("Vera").ClickAsync();
        var unsent = page.Locator(".transcript .msg.pending");
        await Expect(unsent).ToContainTextAsync("Not sent: the conversation left you before it was sent");
        await Expect(page.Locator(".unsent")).ToBeHiddenAsync();
        await unsent.GetByRole(AriaRole.Button, new() { Name = "Send again" }).ClickAsync();
        await vera.Messages.Next(m => m.SenderRole == "agent" && m.Text == "Yes, it left the warehouse today.");
        await Expect(page.Locator(".transcript .msg.pending")).ToHaveCountAsync(0);
        await vera.Send("v-2", "Thank you!");
        await Expect(page.Locator(".transcript .msg.visitor").Last).ToContainTextAsync("Thank you!");
        Assert.Single(vera.Messages.All, m => m.Text == "Yes, it left the warehouse today.");
    }

    [Fact]
    public async Task AWhisperWrittenWhileTheDashboardIsDisconnectedReachesTheAgentOnceItIsBack()
    {
        var queue = Floor.Queue(3);
        var username = Floor.Agent(queue);
        await using var agent = await Node.ConnectOnlineAgent(username);
        var internals = agent.Record<ChatMessage>("InternalMessageReceived");
        await using var otto = await Node.StartVisitorChat("Otto", queue, "Where is my refund?");
        var page = await _browser.NewPageAsync();
        await using var browser = page.Context;
        var (socket, hubBlocked) = await HoldHub(page, "/hubs/supervisor");
        await SignIn(page, "/supervisor", Floor.Supervisor(Floor.Queue(Seat.Supervisor())));
        await Expect(page.Locator(".connection")).ToHaveTextAsync("Connected");
        await page.Locator($"tr[data-agent={username}] button.expand").ClickAsync();
        await page.Locator($"li[data-conversation='{otto.Id}']").GetByRole(AriaRole.Button, new() { Name = "Watch" }).ClickAsync();
        await Expect(page.Locator(".watch .transcript .msg.visitor")).ToContainTextAsync("Where is my refund?");

        hubBlocked.Value = true;
        await socket.Value!.CloseAsync();
        await Expect(page.Locator(".connection")).Not.ToHaveTextAsync("Connected");
        await page.GetByLabel("Whisper to the agent").FillAsync("Refund it today");
        await page.GetByRole(AriaRole.Button, new() { Name = "Whisper", Exact = true }).ClickAsync();
        await Expect(page.Locator(".watch .form-error")).ToContainTextAsync("Not sent yet");
        await Expect(page.Locator(".watch .form-error")).ToContainTextAsync("It is sent once the connection is back.");

        hubBlocked.Value = false;
        var whisper = await internals.Next(m => m.ConversationId == otto.Id, Long);
        Assert.Equal("Refund it today", whisper.Text);
        await Expect(page.Locator(".watch .transcript .msg.whisper")).ToContainTextAsync("Refund it today");
        await Expect(page.GetByLabel("Whisper to the agent")).ToHaveValueAsync("");
        await Expect(page.Locator(".watch .form-error")).ToBeEmptyAsync();
        var stored = await agent.InvokeAsync<ChatMessage[]>("GetInternalMessages", otto.Id, 0L, 500).WaitAsync(Clients.Timeout);
        Assert.Single(stored, m => m.Text == "Refund it today");
    }

    /// <summary>
    /// Holds a page's hub connections, passed through to the node: <c>socket</c> is the current one, and while
    /// <c>blocked</c> is set every new connection is refused at its negotiate request, as on a network that is down.
    /// </summary>
    private static async Task<(StrongBox<IWebSocketRoute?> Socket, StrongBox<bool> Blocked)> HoldHub(IPage page, string hub)
    {
        var socket = new StrongBox<IWebSocketRoute?>();
        var blocked = new StrongBox<bool>();
        await page.RouteWebSocketAsync(new Regex(Regex.Escape(hub)), ws =>
        {
            ws.ConnectToServer();
            socket.Value = ws;
        });
        await page.RouteAsync(new Regex(Regex.Escape(hub) + "/negotiate"), route => blocked.Value ? route.AbortAsync("internetdisconnected") : route.ContinueAsync());
        return (socket, blocked);
    }

    /// <summary>Answers a request the way the node answers it with <paramref name="status"/>: its problem body, its Retry-After, and the node's own CORS headers.</summary>
    [Fact]
    public async Task AnOfflineMessageWhoseAnswerWasLostIsSentAgainAndKeptOnce()
    {
        var text = $"Please call me back about order {Guid.NewGuid():N}";
        var queue = Floor.Queue();
        var widget = await WidgetPage.OpenAsync(_browser, _browser.ShopPage(queue, node: Node));
        await using var browser = widget.Page.Context;
        // The first message reaches the node, which keeps it; its answer is lost on the way back (a 503 instead).
        var posts = 0;
        await widget.Page.RouteAsync("**/api/visitor/offline-messages", async route =>
        {
            if (Interlocked.Increment(ref posts) == 1)
                await FulfillLike(route, 503, retryAfter: "1", "LiveChat is briefly unavailable.", "LiveChat could not answer in time; please try again in a moment.");
            else
                await route.ContinueAsync();
        });

        await widget.Launcher.ClickAsync();
        await widget.GetByLabel("Your name").FillAsync("Olga");
        await widget.GetByLabel("Email", new() { Exact = true }).FillAsync("olga@example.com");
        await widget.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await widget.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();

        await Expect(widget.Panel.GetByText("Thank you! We got your message")).ToBeVisibleAsync();
        Assert.Equal(2, posts);
        var inbox = Node.Services.GetRequiredService<IGrainFactory>().GetGrain<IOfflineMessagesGrain>(queue);
        Assert.Single(await inbox.GetAll(), m => m.Text == text);
    }

    [Fact]
    public async Task MessagesAfterOnesTheStoreLostStillShowAfterAReload()
    {
        var queue = Floor.Queue(3);
        var username = Floor.Agent(queue);
        await using var agent = await Node.ConnectOnlineAgent(username);
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        var widget = await WidgetPage.OpenAsync(_browser, _browser.ShopPage(queue, node: Node));
        await using var browser = widget.Page.Context;
        await widget.StartChatAsync("Ines");
        var id = (await assigned.Next()).ConversationId;
        var acks = new List<MessageAck>();
        foreach (var text in new[] { "one", "two", "three" })
        {
            acks.Add(await agent.InvokeAsync<MessageAck>("SendMessage", id, $"agent-{text}", text).WaitAsync(Clients.Timeout));
            await Expect(widget.LastMessage).ToHaveTextAsync(text);
        }

        // Redis (appendfsync everysec) lost its machine and with it the last second of writes, "two" among them; the
        // conversation went on numbering after it.
        _node.Faults.MessageLost(id, acks[1].Seq);
        await widget.Page.ReloadAsync();

        await Expect(widget.Texts).ToHaveTextAsync([$"{Floor.DisplayName(username)} joined the conversation.", "one", "three"]);
    }

    private static async Task FulfillLike(IRoute route, int status, string retryAfter, string title, string detail)
    {
        var real = await route.FetchAsync();
        var headers = real.Headers.Where(h => h.Key.StartsWith("access-control-", StringComparison.OrdinalIgnoreCase)).ToDictionary();
        headers["Retry-After"] = retryAfter;
        await route.FulfillAsync(new()
        {
            Status = status,
            ContentType = "application/problem+json",
            Headers = headers,
            Body = JsonSerializer.Serialize(new { title, status, detail }),
        });
    }

    private async Task SignIn(IPage page, string path, string username)
    {
        await page.GotoAsync(new Uri(Node.BaseAddress, path).ToString());
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(TestUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private async Task SignInOnline(IPage page, string username)
    {
        await SignIn(page, "/agent", username);
        await Expect(page.Locator(".connection")).ToHaveTextAsync("Connected");
        await page.Locator("label[for=status-online]").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Online" })).ToBeCheckedAsync();
    }

    /// <summary>The visitor id the widget keeps in its frame's localStorage for this node and queue.</summary>
    private async Task<string> RememberedVisitor(WidgetPage widget, string queue)
    {
        var key = WidgetPage.MemoryKey(Node, queue);
        var remembered = await widget.EvaluateInFrameAsync<string>("key => localStorage.getItem(key)", key);
        return JsonDocument.Parse(remembered).RootElement.GetProperty("visitorId").GetString()!;
    }
}
