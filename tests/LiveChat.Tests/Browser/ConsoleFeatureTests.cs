using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>
/// Features of the agent console and the supervisor dashboard used in a real browser against a real node: taking over,
/// the feedback inbox, offline messages, an agent's status and limit, the new-chat alert and "Seen".
/// The other people are real .NET SignalR clients.
/// </summary>
[Collection(BrowserServerCollection.Name)]
public sealed class ConsoleFeatureTests(BrowserServer fixture)
{
    private Floor Floor => fixture.Floor;

    [Fact]
    public async Task ASupervisorTakesOverFromTheDashboard()
    {
        var queue = Floor.Queue(3);
        var agent = Floor.Agent(queue);
        var supervisor = fixture.Supervisor();
        await using var tk = await fixture.Server.ConnectOnlineAgent(agent);
        var agentUpdates = tk.Record<ConversationView>("ConversationUpdated");
        await using var theo = await fixture.Server.StartVisitorChat("Theo", queue, "My parcel is lost");
        Assert.Equal(agent, theo.View.AgentId);
        var page = await fixture.SignInAsync("/supervisor", supervisor);
        try
        {
            await page.Locator($"tr[data-agent={agent}] button.expand").ClickAsync();
            var entry = page.Locator($"li[data-conversation='{theo.Id}']");
            await Expect(entry).ToContainTextAsync("Theo");
            await entry.GetByRole(AriaRole.Button, new() { Name = "Take over" }).ClickAsync();

            var lost = await agentUpdates.Next(v => v.ConversationId == theo.Id);
            Assert.Equal((supervisor, ConversationStatus.Active), (lost.AgentId, lost.Status));
            var said = await theo.Messages.Next(m => m.SenderRole == "system" && m.Text.Contains("took over", StringComparison.Ordinal));
            var tookOver = $"{Floor.DisplayName(supervisor)} took over the conversation from {Floor.DisplayName(agent)}.";
            Assert.Equal(tookOver, said.Text);

            var watch = page.Locator("section.watch");
            await Expect(watch.Locator("#watch-title")).ToHaveTextAsync("Theo");
            await Expect(watch.Locator(".notice")).ToContainTextAsync("You now hold the conversation with Theo.");
            await Expect(watch.Locator(".notice")).ToContainTextAsync("To chat with them, use the agent console");
            await Expect(watch.Locator(".notice").GetByRole(AriaRole.Link, new() { Name = "agent console" })).ToHaveAttributeAsync("href", "/agent");
            await Expect(watch.Locator(".conversation-meta")).ToContainTextAsync($"with {Floor.DisplayName(supervisor)}");
            await Expect(watch.Locator(".transcript .msg").Last).ToContainTextAsync(tookOver);
        }
        finally
        {
            await page.Context.CloseAsync();
            await theo.Hub.InvokeAsync<ConversationView>("CloseConversation", theo.Id).WaitAsync(Clients.Timeout);
            await tk.InvokeAsync<AgentView>("SetStatus", "Offline").WaitAsync(Clients.Timeout);
        }
    }

    [Fact]
    public async Task TheFeedbackInboxFiltersByScoreAndMarksAnEntryReviewed()
    {
        const string complaint = "<b>Too slow</b>, I waited ages";
        var queue = Floor.Queue(3);
        var supervisor = fixture.Supervisor();
        await using var fb = await fixture.Server.ConnectOnlineAgent(Floor.Agent(queue));
        await using var fern = await fixture.Server.StartVisitorChat("Fern", queue, "Where is my refund?");
        await using var finn = await fixture.Server.StartVisitorChat("Finn", queue, "Can I change my address?");
        await fern.Hub.InvokeAsync("RateConversation", fern.Id, 2, complaint).WaitAsync(Clients.Timeout);
        await finn.Hub.InvokeAsync("RateConversation", finn.Id, 5, "Quick and kind").WaitAsync(Clients.Timeout);
        var page = await fixture.SignInAsync("/supervisor", supervisor);
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Feedback", Exact = true }).ClickAsync();
            var inbox = page.GetByRole(AriaRole.Region, new() { Name = "Feedback" });
            await inbox.GetByLabel("Queue").SelectOptionAsync(queue);
            await inbox.GetByLabel("Score").SelectOptionAsync("2");
            await inbox.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

            var rows = inbox.Locator("tbody tr");
            var fernRow = inbox.Locator($"tr[data-conversation='{fern.Id}']");
            await Expect(fernRow).ToBeVisibleAsync();
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(fernRow.Locator("td.comment")).ToHaveTextAsync(complaint);
            await Expect(fernRow.Locator("td.score")).ToHaveAttributeAsync("aria-label", "2 of 5");
            await Expect(fernRow).ToContainTextAsync("Fern");
            Assert.Equal(0, await inbox.Locator("b").CountAsync());

            await fernRow.GetByRole(AriaRole.Button, new() { Name = "Mark reviewed" }).ClickAsync();
            await Expect(fernRow.Locator(".reviewed")).ToHaveTextAsync($"✓ {supervisor}");
            await Expect(fernRow.GetByRole(AriaRole.Button, new() { Name = "Mark not reviewed" })).ToBeVisibleAsync();

            // Asked again for what is reviewed, the inbox lists it there.
            await inbox.GetByLabel("Review").SelectOptionAsync("Reviewed");
            await inbox.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(fernRow.Locator(".reviewed")).ToHaveTextAsync($"✓ {supervisor}");

            var (sue, _) = await fixture.Server.ConnectSupervisor(supervisor);
            await using (sue)
            {
                var feedback = await sue.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: queue)).WaitAsync(Clients.Timeout);
                var reviewed = Assert.Single(feedback.Items, e => e.ConversationId == fern.Id);
                Assert.Equal((supervisor, 2, complaint), (reviewed.ReviewedBy, reviewed.Score, reviewed.Comment));
                var other = Assert.Single(feedback.Items, e => e.ConversationId == finn.Id);
                Assert.Equal((5, false), (other.Score, other.Reviewed));
            }
        }
        finally
        {
            await page.Context.CloseAsync();
            foreach (var visitor in new[] { fern, finn })
                await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
            await fb.InvokeAsync<AgentView>("SetStatus", "Offline").WaitAsync(Clients.Timeout);
        }
    }

    [Fact]
    public async Task AnOfflineMessageIsListedAndMarkedHandled()
    {
        const string name = "<i>Olga</i>";
        const string text = "Please call me back about <script>alert(1)</script> order 77.";
        var queue = Floor.Queue();
        var supervisor = fixture.Supervisor();
        using var http = fixture.Server.Http();
        using var response = await http.PostAsJsonAsync("/api/visitor/offline-messages", new { queue, name, email = "olga@example.com", text });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString();
        var page = await fixture.SignInAsync("/supervisor", supervisor);
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Offline messages", Exact = true }).ClickAsync();
            var section = page.GetByRole(AriaRole.Region, new() { Name = "Offline messages" });
            await section.GetByLabel("Queue").SelectOptionAsync(queue);

            var item = section.Locator($"li[data-offline='{id}']");
            await Expect(section.Locator(".offline-status")).ToHaveTextAsync("1 unhandled of 1 kept (room for 500).");
            await Expect(item.Locator(".offline-head strong")).ToHaveTextAsync(name);
            await Expect(item.Locator(".offline-head")).ToContainTextAsync("olga@example.com");
            await Expect(item.Locator(".offline-text")).ToHaveTextAsync(text);
            Assert.Equal(0, await section.Locator("i, script").CountAsync());

            await item.GetByRole(AriaRole.Button, new() { Name = "Mark handled" }).ClickAsync();
            await Expect(item).ToHaveClassAsync("handled");
            await Expect(item.Locator(".reviewed")).ToContainTextAsync($"✓ handled by {supervisor}");
            await Expect(item.GetByRole(AriaRole.Button, new() { Name = "Mark not handled" })).ToBeVisibleAsync();

            var (sue, _) = await fixture.Server.ConnectSupervisor(supervisor);
            await using (sue)
            {
                var left = Assert.Single(await sue.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", queue).WaitAsync(Clients.Timeout), m => m.Id == id);
                Assert.Equal((true, supervisor, name, text), (left.Handled, left.HandledBy, left.Name, left.Text));
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task ASupervisorSetsAnAgentsLimitAndStatusFromTheAgentsTable()
    {
        var agent = Floor.Agent(Floor.Queue(2), max: 2);
        var name = Floor.DisplayName(agent);
        await using var lim = await fixture.Server.ConnectOnlineAgent(agent);
        var updates = lim.Record<AgentView>("AgentUpdated");
        var page = await fixture.SignInAsync("/supervisor", fixture.Supervisor());
        try
        {
            var row = page.Locator($"tr[data-agent={agent}]");
            await Expect(row.Locator(".load-value")).ToHaveTextAsync("0 / 2");
            await Expect(row.GetByLabel($"Status of {name}")).ToHaveValueAsync("Online");

            await row.GetByLabel($"Limit for {name}").FillAsync("1");
            await row.GetByRole(AriaRole.Button, new() { Name = "Set limit" }).ClickAsync();
            var limited = await updates.Next(a => a.MaxConversations == 1);
            Assert.Equal((agent, AgentStatus.Online), (limited.AgentId, limited.Status));
            await Expect(row.Locator(".load-value")).ToHaveTextAsync("0 / 1");

            await row.GetByLabel($"Status of {name}").SelectOptionAsync("Away");
            var away = await updates.Next(a => a.Status == AgentStatus.Away);
            Assert.Equal(1, away.MaxConversations);
            await Expect(row.GetByLabel($"Status of {name}")).ToHaveValueAsync("Away");
            await Expect(row.Locator(".status-dot")).ToHaveClassAsync(new Regex(@"\baway\b"));
            await Expect(row.GetByLabel($"Limit for {name}")).ToHaveValueAsync("1");
            await Expect(row.Locator(".form-error")).ToHaveTextAsync("");
        }
        finally
        {
            await page.Context.CloseAsync();
            await lim.InvokeAsync<AgentView>("SetStatus", "Offline").WaitAsync(Clients.Timeout);
        }
    }

    [Fact]
    public async Task ANewChatFlashesTheTitleOfAConsoleInTheBackgroundUntilItIsViewed()
    {
        var queue = Floor.Queue(3);
        var page = await fixture.AgentOnlineAsync(Floor.Agent(queue));
        const string title = "LiveChat · Agent console";
        await Expect(page).ToHaveTitleAsync(title);
        // Headless Chromium tells every page it has the focus; without that, the agent's other tab really takes it.
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Emulation.setFocusEmulationEnabled", new Dictionary<string, object> { ["enabled"] = false });
        await page.Clock.InstallAsync();
        var elsewhere = await page.Context.NewPageAsync();
        await elsewhere.BringToFrontAsync();
        Assert.False(await page.EvaluateAsync<bool>("() => document.hasFocus()"));

        await using var fiona = await fixture.Server.StartVisitorChat("Fiona", queue, "Is the shop open on Sunday?");
        await Expect(page).ToHaveTitleAsync("(1) New chat · Fiona");
        await page.Clock.RunForAsync(1000);
        await Expect(page).ToHaveTitleAsync(title);
        await page.Clock.RunForAsync(1000);
        await Expect(page).ToHaveTitleAsync("(1) New chat · Fiona");
        await using var felix = await fixture.Server.StartVisitorChat("Felix", queue, "Do you ship abroad?");
        await Expect(page).ToHaveTitleAsync("(2) New chat · Felix");

        await page.BringToFrontAsync();
        await Expect(page).ToHaveTitleAsync(title);
        // Stopped, not just between two flashes: the title stays as it was over two more periods.
        for (var step = 0; step < 4; step++)
        {
            await page.Clock.RunForAsync(500);
            Assert.Equal(title, await page.TitleAsync());
        }
        await Expect(page.Conversation("Fiona")).ToBeVisibleAsync();
        await Expect(page.Conversation("Felix")).ToBeVisibleAsync();

        await page.Context.CloseAsync();
        foreach (var visitor in new[] { fiona, felix })
            await visitor.Hub.InvokeAsync<ConversationView>("CloseConversation", visitor.Id).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task TheConsoleShowsSeenUnderTheLastReplyTheVisitorRead()
    {
        var queue = Floor.Queue(3);
        var page = await fixture.AgentOnlineAsync(Floor.Agent(queue));
        await using var sid = await fixture.Server.StartVisitorChat("Sid", queue, "Has my order shipped?");
        await page.Conversation("Sid").ClickAsync();
        await Expect(page.Locator(".transcript .msg.visitor")).ToContainTextAsync("Has my order shipped?");

        await page.ReplyAsync("Yes, it left this morning.");
        var first = await sid.Messages.Next(m => m.SenderRole == "agent");
        var replies = page.Locator(".transcript .msg.staff");
        await Expect(replies).ToContainTextAsync("Yes, it left this morning.");
        await Expect(page.Locator(".transcript .seen")).ToHaveCountAsync(0);

        await sid.Hub.InvokeAsync("MarkRead", sid.Id, first.Seq).WaitAsync(Clients.Timeout);
        await Expect(replies.Filter(new() { HasTextString = "Yes, it left this morning." }).Locator(".seen")).ToHaveTextAsync("Seen");

        await page.ReplyAsync("Here is the tracking number: 123.");
        var second = await sid.Messages.Next(m => m.SenderRole == "agent");
        await Expect(replies.Last).ToContainTextAsync("Here is the tracking number: 123.");
        await Expect(page.Locator(".transcript .seen")).ToHaveCountAsync(1);
        await Expect(replies.Filter(new() { HasTextString = "Yes, it left this morning." }).Locator(".seen")).ToHaveCountAsync(1);

        await sid.Hub.InvokeAsync("MarkRead", sid.Id, second.Seq).WaitAsync(Clients.Timeout);
        await Expect(replies.Last.Locator(".seen")).ToHaveTextAsync("Seen");
        await Expect(page.Locator(".transcript .seen")).ToHaveCountAsync(1);

        await page.Context.CloseAsync();
        await sid.Hub.InvokeAsync<ConversationView>("CloseConversation", sid.Id).WaitAsync(Clients.Timeout);
    }
}
