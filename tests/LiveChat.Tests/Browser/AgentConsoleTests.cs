using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>The agent console in a real browser against a real node; visitors are real .NET SignalR clients.</summary>
[Collection(BrowserServerCollection.Name)]
public sealed class AgentConsoleTests(BrowserServer fixture)
{
    private Floor Floor => fixture.Floor;

    [Fact]
    public async Task ANewChatAppearsLiveAndTheAgentAndVisitorTalkBothWays()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        var page = await fixture.AgentOnlineAsync(agent);
        await using var vera = await fixture.Server.StartVisitorChat("Vera", queue, "Hello, my order is late");

        var item = page.Conversation("Vera");
        await Expect(item).ToContainTextAsync("Hello, my order is late");
        await Expect(page.Locator(".load-value")).ToHaveTextAsync("1 / 3");
        await item.ClickAsync();
        await Expect(page.Locator(".transcript .msg.visitor")).ToContainTextAsync("Hello, my order is late");

        await page.ReplyAsync("Sorry to hear that, let me check.");
        var reply = await vera.Messages.Next(m => m.SenderRole == "agent");
        Assert.Equal("Sorry to hear that, let me check.", reply.Text);
        Assert.Equal(Floor.DisplayName(agent), reply.SenderName);
        await Expect(page.Locator(".transcript .msg.staff")).ToContainTextAsync("Sorry to hear that, let me check.");

        await vera.Send("v-2", "Order 1234");
        await Expect(page.Locator(".transcript .msg.visitor").Last).ToContainTextAsync("Order 1234");

        await vera.Hub.InvokeAsync("SetTyping", vera.Id, true).WaitAsync(Clients.Timeout);
        await Expect(page.Locator(".typing")).ToHaveTextAsync("Vera is typing…");
        await vera.Hub.InvokeAsync("SetTyping", vera.Id, false).WaitAsync(Clients.Timeout);
        await Expect(page.Locator(".typing")).ToHaveTextAsync("");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TwoChatsAtOnceKeepTheirOwnUnreadCountsAndReplies()
    {
        var queue = Floor.Queue(2);
        var page = await fixture.AgentOnlineAsync(Floor.Agent(queue, max: 2));
        await using var vic = await fixture.Server.StartVisitorChat("Vic", queue, "Hi, I am Vic");
        await Expect(page.Conversation("Vic")).ToBeVisibleAsync();
        await using var val = await fixture.Server.StartVisitorChat("Val", queue, "Hi, I am Val");

        await Expect(page.Conversation("Val")).ToBeVisibleAsync();
        await Expect(page.Locator(".load-value")).ToHaveTextAsync("2 / 2");
        await page.Conversation("Vic").ClickAsync();
        await Expect(page.Conversation("Vic").Locator(".unread")).ToHaveCountAsync(0);
        await Expect(page.Conversation("Val").Locator(".unread")).ToHaveTextAsync("1");

        await val.Send("val-2", "Are you there?");
        await Expect(page.Conversation("Val").Locator(".unread")).ToHaveTextAsync("2");
        await Expect(page.Conversation("Val")).ToContainTextAsync("Are you there?");

        await page.Conversation("Val").ClickAsync();
        await Expect(page.Conversation("Val").Locator(".unread")).ToHaveCountAsync(0);
        await Expect(page.Locator(".transcript")).ToContainTextAsync("Are you there?");
        await page.ReplyAsync("Yes Val, I am here.");
        await page.Conversation("Vic").ClickAsync();
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("Vic");
        await page.ReplyAsync("Hello Vic, how can I help?");
        await page.Conversation("Vic").Locator(".conv-preview").Filter(new() { HasTextString = "Hello Vic" }).WaitForAsync();
        await BrowserServer.ScreenshotAsync(page, "agent-console");

        Assert.Equal("Yes Val, I am here.", (await val.Messages.Next(m => m.SenderRole == "agent")).Text);
        Assert.Equal("Hello Vic, how can I help?", (await vic.Messages.Next(m => m.SenderRole == "agent")).Text);
        Assert.DoesNotContain(val.Messages.All, m => m.Text.Contains("Vic, how"));
        Assert.DoesNotContain(vic.Messages.All, m => m.Text.Contains("Yes Val"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASupervisorsWhisperIsShownApartAndNeverReachesTheVisitor()
    {
        var queue = Floor.Queue(3);
        var page = await fixture.AgentOnlineAsync(Floor.Agent(queue));
        await using var wanda = await fixture.Server.StartVisitorChat("Wanda", queue, "Can I pay by invoice?");
        await page.Conversation("Wanda").ClickAsync();
        await Expect(page.Locator(".transcript .msg.visitor")).ToContainTextAsync("Can I pay by invoice?");

        var supervisor = fixture.Supervisor();
        var (sue, _) = await fixture.Server.ConnectSupervisor(supervisor);
        await using (sue)
        {
            await sue.InvokeAsync<MessageAck>("Whisper", wanda.Id, Guid.NewGuid().ToString(), "Offer the 10% coupon").WaitAsync(Clients.Timeout);
        }

        var whisper = page.Locator(".transcript .msg.whisper");
        await Expect(whisper).ToContainTextAsync($"Whisper from {Floor.DisplayName(supervisor)}");
        await Expect(whisper).ToContainTextAsync("Offer the 10% coupon");
        var visitorBackground = await page.Locator(".transcript .msg.visitor").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        var whisperBackground = await whisper.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual(visitorBackground, whisperBackground);

        // Anything sent after the whisper reaching the visitor shows the whisper had its chance to arrive, and did not.
        await page.ReplyAsync("Yes, and here is a coupon.");
        await wanda.Messages.Next(m => m.SenderRole == "agent");
        Assert.DoesNotContain(wanda.Messages.All, m => m.Text.Contains("coupon", StringComparison.Ordinal) && m.SenderRole != "agent");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task MarkupFromAVisitorIsShownAsText()
    {
        const string markup = "<img src=x onerror=alert(1)>";
        var queue = Floor.Queue(3);
        var page = await fixture.AgentOnlineAsync(Floor.Agent(queue));
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };
        await using var mallory = await fixture.Server.StartVisitorChat("<b>Mallory</b>", queue, markup);

        await page.Conversation("<b>Mallory</b>").ClickAsync();
        await Expect(page.Locator(".transcript .msg.visitor .msg-text")).ToHaveTextAsync(markup);
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("<b>Mallory</b>");
        await mallory.Send("m-2", "<script>alert(2)</script>");
        await Expect(page.Locator(".transcript .msg.visitor .msg-text").Last).ToHaveTextAsync("<script>alert(2)</script>");

        Assert.Equal(0, await page.Locator("#app img").CountAsync());
        Assert.Equal(0, await page.Locator("#app b").CountAsync());
        Assert.Equal(0, dialogs);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ACannedReplyAnInternalNoteAndATransferToAQueue()
    {
        var shortcut = $"refund-{Guid.NewGuid():N}"[..13];
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        var offline = Floor.Queue();
        var (sue, _) = await fixture.Server.ConnectSupervisor(fixture.Supervisor());
        await using (sue)
            await sue.InvokeAsync<CannedResponse>("SaveCannedResponse", queue, new CannedResponseRequest(null, shortcut, "Your refund is on its way.")).WaitAsync(Clients.Timeout);
        var page = await fixture.AgentOnlineAsync(agent);
        await using var carl = await fixture.Server.StartVisitorChat("Carl", queue, "I want my money back");
        await page.Conversation("Carl").ClickAsync();

        await page.Locator("#composer").PressSequentiallyAsync($"/{shortcut[..8]}");
        await Expect(page.GetByRole(AriaRole.Option)).ToContainTextAsync("Your refund is on its way.");
        await page.Locator("#composer").PressAsync("Enter");
        await Expect(page.Locator("#composer")).ToHaveValueAsync("Your refund is on its way.");
        await page.Locator("#composer").PressAsync("Enter");
        Assert.Equal("Your refund is on its way.", (await carl.Messages.Next(m => m.SenderRole == "agent")).Text);

        await page.GetByLabel("Internal note").CheckAsync();
        await page.ReplyAsync("Second refund request this month");
        await Expect(page.Locator(".transcript .msg.note")).ToContainTextAsync($"Note by {Floor.DisplayName(agent)}");
        await Expect(page.Locator(".transcript .msg.note")).ToContainTextAsync("Second refund request this month");

        await page.GetByRole(AriaRole.Button, new() { Name = "Transfer…" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = offline, Exact = true }).ClickAsync();
        await Expect(page.Conversation("Carl")).ToHaveCountAsync(0);
        await Expect(page.Locator(".notice")).ToContainTextAsync($"went back to the {offline} queue");
        Assert.DoesNotContain(carl.Messages.All, m => m.Text.Contains("Second refund"));

        await carl.Hub.InvokeAsync<ConversationView>("CloseConversation", carl.Id).WaitAsync(Clients.Timeout);
        await page.Context.CloseAsync();
    }
}
