using Microsoft.Playwright;

namespace LiveChat.Tests.Browser;

/// <summary>Signing in to the agent console and the supervisor dashboard the way a person does, in a fresh browser profile.</summary>
internal static class StaffPages
{
    static StaffPages() => Assertions.SetDefaultExpectTimeout(10_000);

    public static async Task<IPage> SignInAsync(this BrowserServer fixture, string path, string username)
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Page(path).ToString());
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(TestUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator(".connection")).ToHaveTextAsync("Connected");
        return page;
    }

    /// <summary>Signs an agent in to the console and puts them Online with the status switch.</summary>
    public static async Task<IPage> AgentOnlineAsync(this BrowserServer fixture, string username)
    {
        var page = await fixture.SignInAsync("/agent", username);
        await page.Locator("label[for=status-online]").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Online" })).ToBeCheckedAsync();
        return page;
    }

    /// <summary>The conversation's entry in the console's list, found by the visitor's name.</summary>
    public static ILocator Conversation(this IPage page, string visitorName) =>
        page.Locator(".conv-item").Filter(new() { Has = page.Locator(".conv-name", new() { HasTextString = visitorName }) });

    /// <summary>Writes in the composer and presses Enter, as an agent replies.</summary>
    public static async Task ReplyAsync(this IPage page, string text)
    {
        await page.Locator("#composer").FillAsync(text);
        await page.Locator("#composer").PressAsync("Enter");
    }
}
