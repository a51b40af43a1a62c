using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>The supervisor dashboard in a real browser against a real node; visitors and agents are .NET clients.</summary>
[Collection(BrowserServerCollection.Name)]
public sealed class SupervisorDashboardTests(BrowserServer fixture)
{
    private Floor Floor => fixture.Floor;

    [Fact]
    public async Task AnAgentCannotOpenTheDashboard()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Page("/supervisor").ToString());
        await page.GetByLabel("Username").FillAsync(Floor.Agent(Floor.Queue(3)));
        await page.GetByLabel("Password").FillAsync(TestUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Only supervisors can open the dashboard.");
        await Expect(page.Locator(".topbar")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheQueueRowShowsVisitorsWaitingAndLeaving()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        var page = await fixture.SignInAsync("/supervisor", fixture.Supervisor());
        var waiting = page.Locator($"tr[data-queue={queue}] td.waiting");
        await Expect(waiting).ToHaveTextAsync("0");

        await using var first = await fixture.Server.StartVisitorChat("Fay", queue, "Anyone there?");
        await using var second = await fixture.Server.StartVisitorChat("Fred", queue, "Hello?");
        await Expect(waiting).ToHaveTextAsync("2");
        await Expect(page.Locator($"tr[data-queue={queue}]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("has-waiting"));
        // The chart draws a line for a queue once someone waits in it (a live point comes at most every 5 seconds).
        await Expect(page.Locator($".chart polyline[data-queue={queue}]").First).ToBeAttachedAsync(new() { Timeout = 15_000 });
        await BrowserServer.ScreenshotAsync(page, "supervisor-dashboard");

        await first.Hub.InvokeAsync<ConversationView>("CloseConversation", first.Id).WaitAsync(Clients.Timeout);
        await Expect(waiting).ToHaveTextAsync("1");
        await using var flo = await fixture.Server.ConnectOnlineAgent(agent);
        await Expect(waiting).ToHaveTextAsync("0");
        await Expect(page.Locator($"tr[data-agent={agent}] .load-value")).ToHaveTextAsync("1 / 3");

        await second.Hub.InvokeAsync<ConversationView>("CloseConversation", second.Id).WaitAsync(Clients.Timeout);
        await flo.InvokeAsync<AgentView>("SetStatus", "Offline").WaitAsync(Clients.Timeout);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WatchingShowsHistoryAndLiveMessagesAndAWhisperReachesTheAgent()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        await using var tia = await fixture.Server.ConnectOnlineAgent(agent);
        var internals = tia.Record<ChatMessage>("InternalMessageReceived");
        try
        {
            await using var tess = await fixture.Server.StartVisitorChat("Tess", queue, "I was charged twice");
            Assert.Equal(agent, tess.View.AgentId);
            var page = await fixture.SignInAsync("/supervisor", fixture.Supervisor());

            await page.Locator($"tr[data-agent={agent}] button.expand").ClickAsync();
            var entry = page.Locator($"li[data-conversation='{tess.Id}']");
            await entry.GetByRole(AriaRole.Button, new() { Name = "Watch" }).ClickAsync();
            await Expect(page.Locator("#watch-title")).ToHaveTextAsync("Tess");
            await Expect(page.Locator(".watch .transcript .msg.visitor")).ToContainTextAsync("I was charged twice");

            await tess.Send("t-2", "The second charge was today");
            await Expect(page.Locator(".watch .transcript .msg.visitor").Last).ToContainTextAsync("The second charge was today");

            await page.GetByLabel("Whisper to the agent").FillAsync("Refund the duplicate at once");
            await page.GetByRole(AriaRole.Button, new() { Name = "Whisper", Exact = true }).ClickAsync();
            var whisper = await internals.Next(m => m.ConversationId == tess.Id);
            Assert.Equal("whisper", whisper.Kind);
            Assert.Equal("Refund the duplicate at once", whisper.Text);
            await Expect(page.Locator(".watch .transcript .msg.whisper")).ToContainTextAsync("Refund the duplicate at once");
            Assert.DoesNotContain(tess.Messages.All, m => m.Text.Contains("Refund the duplicate"));

            await page.GetByRole(AriaRole.Button, new() { Name = "Stop watching" }).ClickAsync();
            await page.Context.CloseAsync();
            await tess.Hub.InvokeAsync<ConversationView>("CloseConversation", tess.Id).WaitAsync(Clients.Timeout);
        }
        finally
        {
            await tia.InvokeAsync<AgentView>("SetStatus", "Offline").WaitAsync(Clients.Timeout);
        }
    }

    [Fact]
    public async Task AnAnnouncementPublishedAndWithdrawnOnThePageReachesVisitors()
    {
        var session = await fixture.Server.OpenVisitorSession("Ann");
        await using var visitor = await fixture.Server.ConnectVisitor(session);
        var published = visitor.Record<Announcement>("AnnouncementPublished");
        var withdrawn = visitor.Record<string>("AnnouncementWithdrawn");
        var text = $"Payments are slow today ({Guid.NewGuid():N})";
        var supervisor = fixture.Supervisor();
        var page = await fixture.SignInAsync("/supervisor", supervisor);
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Announcements" }).ClickAsync();
            await page.GetByLabel("Text", new() { Exact = true }).FillAsync(text);
            await page.GetByLabel("Severity", new() { Exact = true }).SelectOptionAsync("warning");
            await page.GetByLabel("Expires in (minutes)", new() { Exact = true }).FillAsync("5");
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();

            var announcement = await published.Next(a => a.Text == text);
            Assert.Equal("warning", announcement.Severity);
            var item = page.Locator($"li[data-announcement='{announcement.Id}']");
            await Expect(item).ToContainTextAsync(text);

            await item.GetByRole(AriaRole.Button, new() { Name = "Withdraw" }).ClickAsync();
            Assert.Equal(announcement.Id, await withdrawn.Next(id => id == announcement.Id));
            await Expect(item).ToHaveCountAsync(0);
        }
        finally
        {
            await WithdrawIfActiveAsync(supervisor, text);
            await page.Context.CloseAsync();
        }
    }

    private async Task WithdrawIfActiveAsync(string supervisor, string text)
    {
        var (sue, _) = await fixture.Server.ConnectSupervisor(supervisor);
        await using (sue)
        {
            var active = await sue.InvokeAsync<IReadOnlyList<Announcement>>("GetAnnouncements").WaitAsync(Clients.Timeout);
            foreach (var announcement in active.Where(a => a.Text == text))
                await sue.InvokeAsync("WithdrawAnnouncement", announcement.Id).WaitAsync(Clients.Timeout);
        }
    }
}
