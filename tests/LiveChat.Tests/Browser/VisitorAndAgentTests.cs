using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveChat.Tests.Browser;

/// <summary>Both people in real browsers: a visitor with the widget on a customer's site, an agent in the console.</summary>
[Collection(BrowserServerCollection.Name)]
public sealed class VisitorAndAgentTests(BrowserServer fixture)
{
    private const string Markup = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task AVisitorAndAnAgentInTwoBrowsersTalkBothWaysAndMarkupStaysTextOnBothSides()
    {
        var queue = fixture.Floor.Queue(3);
        var username = fixture.Floor.Agent(queue);
        var agent = await fixture.AgentOnlineAsync(username);
        var widget = await WidgetPage.OpenAsync(fixture, fixture.ShopPage(queue));
        var dialogs = 0;
        agent.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        widget.Page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        await widget.StartChatAsync("Vera");
        await Expect(widget.Status).ToContainTextAsync(Floor.DisplayName(username));
        await widget.SendAsync("Hello from the shop");

        var item = agent.Conversation("Vera");
        await Expect(item).ToBeVisibleAsync();
        await item.ClickAsync();
        await Expect(agent.Locator(".transcript .msg.visitor").Last).ToContainTextAsync("Hello from the shop");

        await agent.ReplyAsync("Hello Vera, how can I help?");
        await Expect(widget.LastMessage).ToHaveTextAsync("Hello Vera, how can I help?");

        await widget.SendAsync(Markup);
        await Expect(agent.Locator(".transcript .msg.visitor").Last).ToContainTextAsync(Markup);
        await agent.ReplyAsync($"You wrote {Markup}");
        await Expect(widget.LastMessage).ToHaveTextAsync($"You wrote {Markup}");

        // The characters are shown; no element was made of them, and no script ran on either side.
        await Expect(widget.Texts.Filter(new() { HasTextString = Markup })).ToHaveCountAsync(2);
        await Expect(widget.Locator("ol.messages img")).ToHaveCountAsync(0);
        await Expect(agent.Locator(".transcript img")).ToHaveCountAsync(0);
        Assert.Equal(0, dialogs);

        await agent.Context.CloseAsync();
        await widget.Page.Context.CloseAsync();
    }
}
