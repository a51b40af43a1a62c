using System.Text.Json;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// Real conversations with known messages in the "vault" queue, to compare before and after hostile traffic:
/// one closed and rated, two active with ben (his limit is two), one waiting behind them.
/// Ben and the visitors stay connected throughout, so nothing moves on its own (no Away grace, no requeue).
/// </summary>
internal sealed class Vault : IAsyncDisposable
{
    private readonly LiveChatTestServer _server;
    private readonly HubConnection _ben;

    private Vault(LiveChatTestServer server, HubConnection ben, IReadOnlyList<VisitorChat> owners)
    {
        _server = server;
        _ben = ben;
        Owners = owners;
    }

    public IReadOnlyList<VisitorChat> Owners { get; }

    public IReadOnlyList<string> Ids => Owners.Select(o => o.Id).ToList();

    public static async Task<Vault> SeedAsync(LiveChatTestServer server)
    {
        var ben = await server.ConnectOnlineAgent("ben");
        var closed = await server.StartVisitorChat("Carla <b>", HardeningServer.VaultQueue, "Hello, order 1001 is late");
        await Say(ben, closed.Id, "b-1", "On it, Carla.");
        await ben.InvokeAsync<MessageAck>("AddNote", closed.Id, "n-1", "refund approved").WaitAsync(Clients.Timeout);
        await closed.Send("c-2", "Thanks 👩‍👩‍👧‍👦");
        await closed.Hub.InvokeAsync<ConversationView>("CloseConversation", closed.Id).WaitAsync(Clients.Timeout);
        await closed.Hub.InvokeAsync("RateConversation", closed.Id, 4, "quick \u202Eenough").WaitAsync(Clients.Timeout);

        var first = await server.StartVisitorChat("Anna", HardeningServer.VaultQueue, "My card was charged twice");
        await Say(ben, first.Id, "b-2", "Let me look.");
        await first.Send("a-2", "It was 49.90 € each time");
        await ben.InvokeAsync("MarkRead", first.Id, 3L).WaitAsync(Clients.Timeout);
        var second = await server.StartVisitorChat("Bo", HardeningServer.VaultQueue, "שלום, where is my parcel?");
        await Say(ben, second.Id, "b-3", "It left the depot today.");
        var waiting = await server.StartVisitorChat("Dora", HardeningServer.VaultQueue, "anyone there?");
        Assert.Equal(ConversationStatus.Queued, waiting.View.Status);
        return new Vault(server, ben, [closed, first, second, waiting]);
    }

    /// <summary>Everything stored about the vault's conversations, as their owners, ben and a supervisor see it.</summary>
    public async Task<string> SnapshotAsync()
    {
        var (sue, _) = await _server.ConnectSupervisor("sue");
        await using var _ = sue;
        var parts = new Dictionary<string, object?>();
        foreach (var owner in Owners)
        {
            parts[$"{owner.Id} messages"] = await sue.InvokeAsync<List<ChatMessage>>("GetMessages", owner.Id, 0L, 500).WaitAsync(Clients.Timeout);
            parts[$"{owner.Id} internal"] = await sue.InvokeAsync<List<ChatMessage>>("GetInternalMessages", owner.Id, 0L, 500).WaitAsync(Clients.Timeout);
            parts[$"{owner.Id} owner's view"] = await owner.Hub.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
            parts[$"{owner.Id} owner's messages"] = await owner.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", owner.Id, 0L, 500).WaitAsync(Clients.Timeout);
        }
        parts["ben's conversations"] = await _ben.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        parts["waiting"] = await sue.InvokeAsync<List<ConversationView>>("GetWaitingConversations", HardeningServer.VaultQueue).WaitAsync(Clients.Timeout);
        parts["feedback"] = await sue.InvokeAsync<FeedbackPage>("GetFeedback", new FeedbackQuery(Queue: HardeningServer.VaultQueue)).WaitAsync(Clients.Timeout);
        return JsonSerializer.Serialize(parts, new JsonSerializerOptions { WriteIndented = true });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owner in Owners)
            await owner.DisposeAsync();
        await _ben.DisposeAsync();
    }

    private static Task Say(HubConnection agent, string conversationId, string clientMessageId, string text) =>
        agent.InvokeAsync<MessageAck>("SendMessage", conversationId, clientMessageId, text).WaitAsync(Clients.Timeout);
}
