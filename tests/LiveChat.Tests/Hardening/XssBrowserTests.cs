using LiveChat.Tests.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// Text written to break out into markup or script, typed by a visitor in the widget, by an agent in the console and
/// saved by a supervisor, shown in the widget, the agent console and the supervisor dashboard: everywhere it is the
/// literal text, no element grew out of it, and nothing ran (no dialog, no flag set, no Content Security Policy report).
/// </summary>
[Collection(BrowserServerCollection.Name)]
public sealed class XssBrowserTests(BrowserServer fixture)
{
    // Each would set window.__xss, open a dialog or add an element if it were ever parsed as HTML or evaluated.
    private static readonly string[] Payloads =
    [
        "<script>window.__xss = 'script'</script>",
        "<img src=nowhere onerror=\"window.__xss='img';alert('img')\">",
        "<svg onload=\"window.__xss='svg'\"><circle r=9 /></svg>",
        "<a href=\"javascript:window.__xss='href'\">open your order</a>",
        "\"><b onmouseover=\"window.__xss='attr'\">hover me</b><\"",
        "&lt;i&gt;not italic&lt;/i&gt; &amp; &#60;u&#62; &quot;",
        "{{constructor.constructor('window.__xss=\"template\"; alert(1)')()}}",
        "${window.__xss = 'literal'} and #{7*7} and <%= 7*7 %>",
        "[your invoice](javascript:window.__xss='markdown') ![logo](x onerror=alert(1))",
        "</p></li></ol><iframe srcdoc=\"<script>parent.__xss='frame'</script>\"></iframe>",
        "<details open ontoggle=\"window.__xss='toggle'\">x</details><style>body{display:none}</style>",
        "\u202Egnp.exe <bdo dir=rtl>RTL</bdo> \u200D👩‍💻 <!-- comment -->",
    ];

    private const string VisitorName = "<img src=x onerror=\"window.__xss='name'\">Eve";
    private const string Topic = "<svg/onload=\"window.__xss='topic'\"> {{7*7}} [x](javascript:alert(1))";
    private const string CannedShortcut = "<svg/onload=window.__xss=1>";
    private const string CannedText = "<script>window.__xss='canned'</script> thanks & bye";
    private const string Note = "<img src=x onerror=\"window.__xss='note'\"> internal only";

    [Fact]
    public async Task HostileTextShowsAsLiteralTextInTheWidgetTheConsoleAndTheDashboard()
    {
        var queue = fixture.Floor.Queue(3);
        var username = fixture.Floor.Agent(queue);
        var supervisor = fixture.Supervisor();
        var (sue, _) = await fixture.Server.ConnectSupervisor(supervisor);
        await using var _sue = sue;
        var canned = await sue.InvokeAsync<CannedResponse>("SaveCannedResponse", queue, new CannedResponseRequest(null, CannedShortcut, CannedText)).WaitAsync(Clients.Timeout);
        var agent = await fixture.AgentOnlineAsync(username);
        var dashboard = await fixture.SignInAsync("/supervisor", supervisor);
        var widget = await WidgetPage.OpenAsync(fixture, fixture.ShopPage(queue));
        var pages = new[] { agent, dashboard, widget.Page };
        var dialogs = new List<string>();
        foreach (var page in pages)
            page.Dialog += (_, dialog) => { lock (dialogs) dialogs.Add($"{page.Url}: {dialog.Message}"); _ = dialog.DismissAsync(); };
        await using var topicVisitor = await StartWithTopic("Tom", queue);
        string? id = null;
        try
        {
            // The visitor, in the widget.
            await widget.StartChatAsync(VisitorName);
            foreach (var payload in Payloads)
                await widget.SendAsync(payload);
            await Expect(widget.Texts.Last).ToHaveTextAsync(Payloads[^1]);

            // The agent, in the console: the visitor's name and messages, then replies of the same.
            var entry = agent.Conversation("Eve");
            await Expect(entry.Locator(".conv-name")).ToHaveTextAsync(VisitorName);
            await entry.ClickAsync();
            await Expect(agent.Locator("#composer")).ToBeEditableAsync();
            await Expect(agent.Locator(".msg-text").Last).ToHaveTextAsync(Payloads[^1]);
            await AssertLiteral(agent, ".msg-text", Payloads);
            await AssertLiteral(agent, ".conv-name", [VisitorName]);
            foreach (var payload in Payloads)
                await agent.ReplyAsync(payload);
            await Expect(widget.Texts.Last).ToHaveTextAsync(Payloads[^1]);
            await AssertLiteral(await widget.ContentAsync(), "ol.messages .text", [.. Payloads, .. Payloads]);

            // A canned response saved by a supervisor, offered in the composer.
            await agent.Locator("#composer").FillAsync("/");
            await Expect(agent.Locator(".canned-text").First).ToBeVisibleAsync();
            await AssertLiteral(agent, ".canned-shortcut", ["/" + CannedShortcut]);
            await AssertLiteral(agent, ".canned-text", [CannedText]);
            await agent.Locator("#composer").FillAsync("");

            // An internal note and a topic, which only staff see.
            await using var xia = await fixture.Server.ConnectOnlineAgent(username);
            var mine = await xia.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
            id = mine.Single(c => c.VisitorName == VisitorName).ConversationId;
            Assert.Contains(mine, c => c.ConversationId == topicVisitor.Id);
            await xia.InvokeAsync<MessageAck>("AddNote", id, "xss-note", Note).WaitAsync(Clients.Timeout);
            await Expect(agent.Locator(".msg-text").Last).ToHaveTextAsync(Note);
            await AssertLiteral(agent, ".msg-text", [Note]);

            // The supervisor watches the conversation: name, messages both ways, the note; and sees the topic.
            await dashboard.Locator($"tr[data-agent={username}] button.expand").ClickAsync();
            var item = dashboard.Locator($"li[data-conversation='{id}']");
            await Expect(item).ToContainTextAsync("Eve");
            await AssertLiteral(dashboard, ".mini-name", [VisitorName]);
            await AssertLiteral(dashboard, ".mini-topic", [Topic]);
            await item.GetByRole(AriaRole.Button, new() { Name = "Watch" }).ClickAsync();
            var watch = dashboard.Locator("section.watch");
            await Expect(watch.Locator("#watch-title")).ToHaveTextAsync(VisitorName);
            await Expect(watch.Locator(".msg-text").Last).ToHaveTextAsync(Note);
            await AssertLiteral(dashboard, "section.watch .msg-text", [.. Payloads, .. Payloads, Note]);

            foreach (var page in pages)
            {
                Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
                await BrowserServer.ScreenshotAsync(page, $"hardening-xss-{new Uri(page.Url).AbsolutePath.Trim('/').Replace('/', '-')}");
            }
            Assert.Empty(dialogs);
        }
        finally
        {
            foreach (var page in pages)
                await page.Context.CloseAsync();
            await using var cleanup = await fixture.Server.ConnectOnlineAgent(username);
            foreach (var conversation in await cleanup.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout))
                await cleanup.InvokeAsync<ConversationView>("CloseConversation", conversation.ConversationId).WaitAsync(Clients.Timeout);
            await cleanup.InvokeAsync<AgentView>("SetStatus", "Offline").WaitAsync(Clients.Timeout);
            await sue.InvokeAsync("DeleteCannedResponse", queue, canned.Id).WaitAsync(Clients.Timeout);
        }
    }

    private async Task<VisitorChat> StartWithTopic(string name, string queue)
    {
        var session = await fixture.Server.OpenVisitorSession(name);
        var chat = new VisitorChat(session, fixture.Server.Hub("/hubs/visitor", session.AccessToken));
        await chat.Hub.StartAsync().WaitAsync(Clients.Timeout);
        chat.View = await chat.Hub.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(queue, Topic)).WaitAsync(Clients.Timeout);
        return chat;
    }

    /// <summary>
    /// Each expected text is the exact text of one element matching <paramref name="selector"/> (in the page or the
    /// widget's shadow root, in the frame given), and no such element has an element inside it: the text was never
    /// parsed as markup.
    /// </summary>
    private static Task AssertLiteral(IPage page, string selector, IReadOnlyList<string> expected) =>
        AssertLiteral(page.MainFrame, selector, expected);

    private static async Task AssertLiteral(IFrame page, string selector, IReadOnlyList<string> expected)
    {
        var found = await page.EvaluateAsync<Shown[]>(
            """
            selector => {
              const roots = [document, ...[...document.querySelectorAll('livechat-widget')].map(w => w.shadowRoot).filter(Boolean)];
              return roots.flatMap(root => [...root.querySelectorAll(selector)]).map(e => ({ text: e.textContent, elements: e.children.length }));
            }
            """, selector);
        foreach (var text in expected.Distinct())
        {
            var count = found.Count(f => f.Text == text);
            Assert.True(count >= expected.Count(e => e == text), $"'{text}' is not shown as text in {selector} on {page.Url}; shown: {string.Join(" | ", found.Select(f => f.Text))}");
        }
        Assert.All(found, f => Assert.True(f.Elements == 0, $"'{f.Text}' in {selector} on {page.Url} holds {f.Elements} element(s)"));
    }

    private sealed class Shown
    {
        public string Text { get; set; } = "";
        public int Elements { get; set; }
    }
}
