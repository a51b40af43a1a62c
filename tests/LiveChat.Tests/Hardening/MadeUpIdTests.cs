using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// Ids an outsider makes up cost the node nothing lasting: a visitor naming conversations that are not theirs is refused
/// before any conversation is looked up (and held back when they keep at it), a made-up name for an agent activates no
/// agent, and what staff look up by a wrong id is let go at once.
/// </summary>
public sealed class MadeUpIdTests : IAsyncLifetime
{
    private LiveChatTestServer _server = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["LiveChat:Limits:ReadBurst"] = "20", ["LiveChat:Limits:ReadsPerSecond"] = "5" };
        TestUsers.Add(settings, 0, "ada");
        TestUsers.Add(settings, 1, "sue", role: "supervisor");
        _server = await LiveChatTestServer.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AVisitorsMadeUpConversationIdsActivateNothingAndAreHeldBackInWords()
    {
        await using var visitor = await _server.StartVisitorChat("Mallory", "support", "hello");
        var before = await _server.Activations("ConversationGrain");
        Assert.True(before >= 1, "the visitor's own conversation is counted");

        var refusals = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var id = i % 2 == 0 ? $"c_{Guid.NewGuid():N}" : $"../../etc/passwd-{i}";
            refusals.Add((await Assert.ThrowsAsync<HubException>(() =>
                visitor.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", id, 0L, 50).WaitAsync(Clients.Timeout))).Message);
        }
        foreach (var method in new[] { "SetTyping", "MarkRead", "CloseConversation" })
        {
            object[] args = method switch { "SetTyping" => [$"c_{Guid.NewGuid():N}", true], "MarkRead" => [$"c_{Guid.NewGuid():N}", 1L], _ => [$"c_{Guid.NewGuid():N}"] };
            refusals.Add((await Assert.ThrowsAsync<HubException>(() => visitor.Hub.InvokeCoreAsync(method, typeof(object), args).WaitAsync(Clients.Timeout))).Message);
        }

        Assert.Contains(refusals, r => r.EndsWith("HubException: not your conversation", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.EndsWith("HubException: unknown conversation: ../../etc/passwd-1", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains("HubException: too many reads: wait a moment and ask again (retry after", StringComparison.Ordinal));
        Assert.Equal(before, await _server.Activations("ConversationGrain"));
        // The visitor's own chat goes on.
        Assert.Equal(HubConnectionState.Connected, visitor.Hub.State);
        await visitor.Send("m-2", "still here");
    }

    [Fact]
    public async Task AChatStartedInAnotherTabCanBeNamedAtOnce()
    {
        var session = await _server.OpenVisitorSession("Tabs");
        await using var first = await _server.ConnectVisitor(session);
        await first.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        await using var second = await _server.ConnectVisitor(session);
        var chat = await second.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("support", Text: "from tab two")).WaitAsync(Clients.Timeout);

        var history = await first.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 50).WaitAsync(Clients.Timeout);

        Assert.Contains(history, m => m.Text == "from tab two");
    }

    [Fact]
    public async Task MadeUpAgentNamesAreRefusedAndActivateNoAgent()
    {
        await using var agent = await _server.ConnectOnlineAgent("ada");
        var (supervisor, _) = await _server.ConnectSupervisor("sue");
        await using var _supervisor = supervisor;
        await using var visitor = await _server.StartVisitorChat("Vera", "support", "hello");
        var assigned = await agent.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout);
        Assert.Contains(assigned, c => c.ConversationId == visitor.Id);
        var before = await _server.Activations("AgentGrain");
        Assert.True(before >= 1, "the agent on duty is counted");

        var transfer = await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<ConversationView>("TransferConversation", visitor.Id,
            new TransferRequest(ToAgentId: "ghost-1")).WaitAsync(Clients.Timeout));
        var status = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<AgentView>("SetAgentStatus", "ghost-2", "Online").WaitAsync(Clients.Timeout));
        var chats = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<List<ConversationView>>("GetAgentConversations", "ghost-3").WaitAsync(Clients.Timeout));

        Assert.EndsWith("HubException: unknown agent: ghost-1", transfer.Message);
        Assert.EndsWith("HubException: unknown agent: ghost-2", status.Message);
        Assert.EndsWith("HubException: unknown agent: ghost-3", chats.Message);
        Assert.Equal(before, await _server.Activations("AgentGrain"));
    }

    [Fact]
    public async Task AConversationLookedUpByAWrongIdIsLetGoAtOnce()
    {
        var (supervisor, _) = await _server.ConnectSupervisor("sue");
        await using var _supervisor = supervisor;
        await using var visitor = await _server.StartVisitorChat("Real", "support", "a real one");
        var before = await _server.Activations("ConversationGrain");
        Assert.True(before >= 1, "the real conversation is counted");

        for (var i = 0; i < 20; i++)
            await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<WatchedConversation>("WatchConversation", $"c_{Guid.NewGuid():N}").WaitAsync(Clients.Timeout));

        await Eventually.True(async () => await _server.Activations("ConversationGrain") <= before, "the conversations looked up by wrong ids to be let go");
    }

    [Fact]
    public async Task AConversationCanBeRatedOnlyOnceAnAgentHasJoined()
    {
        await using var visitor = await _server.StartVisitorChat("Early", "support", "anyone?");

        var early = await Assert.ThrowsAsync<HubException>(() => visitor.Hub.InvokeAsync("RateConversation", visitor.Id, 1, "nobody came").WaitAsync(Clients.Timeout));

        Assert.EndsWith("HubException: you can rate a conversation once an agent has joined it", early.Message);
    }
}
