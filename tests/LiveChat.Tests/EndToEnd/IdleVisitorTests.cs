using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// A visitor who only opened the widget costs the node no grain (issue 18: memory per idle visitor); from their first
/// conversation on, every tab they have open counts for their presence as before, including one opened before it.
/// </summary>
public sealed class IdleVisitorTests : IAsyncLifetime
{
    private LiveChatTestServer _server = null!;

    public async Task InitializeAsync() => _server = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>
    {
        ["LiveChat:VisitorGraceSeconds"] = "2",
        ["LiveChat:VisitorIdleReleaseSeconds"] = "1",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AVisitorWhoOnlyConnectedHoldsNoGrainAndOnceTheyChatLeavingStillAbandonsTheirPlace()
    {
        var session = await _server.OpenVisitorSession("Idle");
        ConversationView view;
        await using (var idle = await _server.ConnectVisitor(session))
        {
            await Eventually.True(async () => await _server.Activations("VisitorGrain") == 0, "the idle visitor's grain to be let go while they stay connected");
            Assert.Equal(HubConnectionState.Connected, idle.State);

            // The same connection starts a chat: from now on it is the visitor's presence.
            view = await idle.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("support", Text: "hello")).WaitAsync(Clients.Timeout);
            Assert.Equal(ConversationStatus.Queued, view.Status);
        }

        // The tab closed: past the grace, the waiting chat leaves its queue as abandoned.
        await Eventually.True(async () => await Peek(view.ConversationId) is { Status: ConversationStatus.Closed, ClosedReason: ClosedReasons.Abandoned },
            "the chat of the visitor who left to be abandoned");
    }

    [Fact]
    public async Task ATabOpenedBeforeTheChatStartedInAnotherKeepsTheVisitorPresentOnceItShowsTheChat()
    {
        var session = await _server.OpenVisitorSession("Two tabs");
        var first = await _server.ConnectVisitor(session);
        await using var second = await _server.ConnectVisitor(session);
        var view = await first.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("support", Text: "hi")).WaitAsync(Clients.Timeout);
        // The other tab shows the chat (its widget reads it), then the tab that started it closes.
        await second.InvokeAsync<List<ChatMessage>>("GetMessages", view.ConversationId, 0L, 50).WaitAsync(Clients.Timeout);

        // Someone else who leaves at the same moment marks when the grace is over.
        await using var other = await _server.StartVisitorChat("Leaver", "support", "bye");
        await first.DisposeAsync();
        await other.DisposeAsync();
        await Eventually.True(async () => (await Peek(other.Id)).Status == ConversationStatus.Closed, "the leaver's chat to be abandoned");

        // Looked at from the staff's side: a tab opened to look would itself count as the visitor being here.
        var still = await Peek(view.ConversationId);
        Assert.Equal(ConversationStatus.Queued, still.Status);
        Assert.Equal(1, still.QueuePosition);
    }

    private Task<ConversationView> Peek(string conversationId) =>
        _server.Services.GetRequiredService<IGrainFactory>().GetGrain<IConversationGrain>(conversationId).Peek();
}
