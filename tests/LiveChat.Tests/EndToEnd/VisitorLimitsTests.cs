using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Tests.EndToEnd;

/// <summary>A node with the default message limits, two open conversations per visitor and short names.</summary>
public sealed class LimitsServer : NodeFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["LiveChat:DefaultQueue"] = "support",
            ["LiveChat:Queues:0"] = "returns",
            ["LiveChat:Queues:1"] = "billing",
            // The product's defaults, which the test server raises for every other test.
            ["LiveChat:Limits:MessageBurst"] = "10",
            ["LiveChat:Limits:MessagesPerSecond"] = "5",
            ["LiveChat:Limits:TypingBurst"] = "10",
            ["LiveChat:Limits:TypingPerSecond"] = "2",
            ["LiveChat:Limits:OpenConversationsPerVisitor"] = "2",
            ["LiveChat:Limits:MaxNameLength"] = "20",
            ["LiveChat:Limits:MaxEmailLength"] = "40",
        })
            settings[key] = value;
        TestUsers.Add(settings, 0, "lia", max: 3, queues: "support");
        TestUsers.Add(settings, 1, "tom", max: 3, queues: "returns");
    }
}

/// <summary>
/// What one visitor may do is bounded (messages, typing, open conversations, names, frames), and a visitor past a bound is
/// told in words while their connection, and everybody else's chat, carries on.
/// </summary>
public sealed class VisitorLimitsTests(LimitsServer fixture) : IClassFixture<LimitsServer>
{
    private const string TooManyMessages = "too many messages: wait a moment and send again";

    private LiveChatTestServer Server => fixture.Server;

    [Fact]
    public async Task AVisitorFloodingMessagesIsRefusedInWordsWhileAnotherVisitorsChatKeepsFlowing()
    {
        await using var lia = await Server.ConnectOnlineAgent("lia");
        var assigned = lia.Record<ConversationView>("ConversationAssigned");
        var received = lia.Record<ChatMessage>("MessageReceived");
        await using var flooder = await Server.StartVisitorChat("Flooder", "support");
        await using var calm = await Server.StartVisitorChat("Calm", "support");
        await assigned.Next(v => v.ConversationId == flooder.Id);
        await assigned.Next(v => v.ConversationId == calm.Id);

        // The flooder sends 100 messages in about a second, without waiting for the answers, as a script would.
        var flood = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            var sends = new List<Task<string?>>();
            for (var i = 0; i < 100; i++)
            {
                sends.Add(Refusal(flooder.Hub.InvokeAsync<MessageAck>("SendMessage", flooder.Id, $"f{i}", $"flood {i}")));
                await Task.Delay(10);
            }
            var outcomes = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
            return (Outcomes: outcomes, Seconds: clock.Elapsed.TotalSeconds);
        });
        // Meanwhile the other visitor chats at a person's pace: every message acknowledged and delivered within 2 s.
        var calmTexts = Enumerable.Range(1, 8).Select(i => $"calm {i}").ToList();
        foreach (var text in calmTexts)
        {
            var clock = Stopwatch.StartNew();
            var ack = await calm.Send(text, text);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"'{text}' was acknowledged after {clock.Elapsed.TotalMilliseconds:F0} ms");
            Assert.False(ack.Duplicate);
            await received.Next(m => m.ConversationId == calm.Id && m.Text == text, TimeSpan.FromSeconds(2));
            await Task.Delay(300);
        }
        var (outcomes, seconds) = await flood;

        var accepted = outcomes.Count(o => o is null);
        var refusals = outcomes.Where(o => o is not null).ToList();
        // Ten at once (the burst), then five a second while the flood lasts, and a little room for timing.
        Assert.InRange(accepted, 10, 10 + (int)Math.Ceiling(5 * seconds) + 2);
        Assert.True(refusals.Count >= 100 - accepted, $"{refusals.Count} refusals");
        Assert.All(refusals, r => Assert.Matches(@"too many messages: wait a moment and send again \(retry after \d+ s\)", r));
        Assert.Equal(HubConnectionState.Connected, flooder.Hub.State);
        // Nothing refused was stored; everything accepted was, once.
        var history = await flooder.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", flooder.Id, 0L, 500).WaitAsync(Clients.Timeout);
        var flooded = history.Where(m => m.SenderRole == Roles.Visitor).ToList();
        Assert.Equal(accepted, flooded.Count);
        Assert.Equal(accepted, flooded.Select(m => m.ClientMessageId).Distinct().Count());
        var calmHistory = await calm.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", calm.Id, 0L, 500).WaitAsync(Clients.Timeout);
        Assert.Equal(calmTexts, calmHistory.Where(m => m.SenderRole == Roles.Visitor).Select(m => m.Text));

        // A moment later the flooder, now a person again, gets through.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var again = await flooder.Send("after", "sorry, my keyboard was stuck");
        Assert.Equal(history.Max(m => m.Seq) + 1, again.Seq);
        await CloseAll(flooder, calm);
    }

    [Fact]
    public async Task ATypingFloodIsThinnedOutWithoutAnError()
    {
        await using var tom = await Server.ConnectOnlineAgent("tom");
        var assigned = tom.Record<ConversationView>("ConversationAssigned");
        var typing = tom.Record<TypingIndicator>("TypingChanged");
        await using var visitor = await Server.StartVisitorChat("Typist", "returns");
        await assigned.Next(v => v.ConversationId == visitor.Id);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 60; i++)
            await visitor.Hub.InvokeAsync("SetTyping", visitor.Id, i % 2 == 0).WaitAsync(Clients.Timeout);
        var seconds = clock.Elapsed.TotalSeconds;
        await typing.Next(t => t.ConversationId == visitor.Id);
        await Task.Delay(500);

        var shown = typing.All.Count(t => t.ConversationId == visitor.Id);
        Assert.InRange(shown, 1, 10 + (int)Math.Ceiling(2 * seconds) + 2);
        Assert.Equal(HubConnectionState.Connected, visitor.Hub.State);
        // Typing has its own allowance: messages still go.
        Assert.False((await visitor.Send("m1", "still here")).Duplicate);
        await CloseAll(visitor);
    }

    [Fact]
    public async Task AVisitorCannotKeepMoreConversationsOpenThanTheLimit()
    {
        await using var visitor = await Server.ConnectVisitor(await Server.OpenVisitorSession("Many"));
        Task<ConversationView> Start(string queue) =>
            visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest(queue)).WaitAsync(Clients.Timeout);
        var support = await Start("support");
        var returns = await Start("returns");

        var refused = await Assert.ThrowsAsync<HubException>(() => Start("billing"));

        Assert.Contains("too many open conversations: you have 2 open and the most is 2; close one before starting another", refused.Message);
        Assert.Equal(HubConnectionState.Connected, visitor.State);
        // Starting again in a queue where one is open still answers with it.
        Assert.Equal(support.ConversationId, (await Start("support")).ConversationId);
        await visitor.InvokeAsync<ConversationView>("CloseConversation", returns.ConversationId).WaitAsync(Clients.Timeout);
        var billing = await Start("billing");
        Assert.Equal("billing", billing.Queue);
        var open = (await visitor.InvokeAsync<List<ConversationView>>("GetMyConversations")).Where(c => c.Status != ConversationStatus.Closed);
        Assert.Equal(["billing", "support"], open.Select(c => c.Queue).Order());
        await visitor.InvokeAsync<ConversationView>("CloseConversation", support.ConversationId).WaitAsync(Clients.Timeout);
        await visitor.InvokeAsync<ConversationView>("CloseConversation", billing.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task NamesAndEmailsAreCheckedTheSameWayByEveryEndpoint()
    {
        using var http = Server.Http();
        var cases = new (object Fields, string Field, string Error)[]
        {
            (new { name = new string('n', 21), email = "ann@example.com" }, "name", "name too long: 21 > 20 characters"),
            (new { name = "Ann\nAdmin", email = "ann@example.com" }, "name", "name has control characters"),
            (new { name = "Ann\u202Enimda", email = "ann@example.com" }, "name", "name has control characters"),
            (new { name = "Ann", email = "Ann <ann@example.com>" }, "email", "'Ann <ann@example.com>' is not an email address"),
            (new { name = "Ann", email = new string('a', 29) + "@example.com" }, "email", "email too long: 41 > 40 characters"),
        };

        foreach (var (fields, field, error) in cases)
        {
            using var session = await http.PostAsJsonAsync("/api/visitor/session", fields);
            using var offline = await http.PostAsJsonAsync("/api/visitor/offline-messages",
                new Dictionary<string, object?>(ToDictionary(fields)) { ["queue"] = "billing", ["text"] = "call me" });
            foreach (var response in new[] { session, offline })
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await response.Content.ReadFromJsonAsync<ValidationProblem>();
                Assert.Contains(error, Assert.Single(problem!.Errors[field]));
            }
        }

        // At the limits, both are accepted, and the name is what the agent sees.
        var twenty = new string('n', 20);
        using var ok = await http.PostAsJsonAsync("/api/visitor/session", new { name = twenty, email = new string('a', 28) + "@example.com" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var visitor = await Server.ConnectVisitor((await ok.Content.ReadFromJsonAsync<VisitorSessionResponse>())!);
        await using (visitor)
        {
            var view = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("billing")).WaitAsync(Clients.Timeout);
            Assert.Equal(twenty, view.VisitorName);
            await visitor.InvokeAsync<ConversationView>("CloseConversation", view.ConversationId).WaitAsync(Clients.Timeout);
        }
    }

    [Fact]
    public async Task AFrameLargerThanTheHubAcceptsClosesThatConnectionOnlyAndStoresNothing()
    {
        var chat = await Server.StartVisitorChat("Big", "billing");
        await using (chat)
        {
            var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            chat.Hub.Closed += error => { closed.TrySetResult(error); return Task.CompletedTask; };
            await chat.Send("small", "first");

            // 70,000 characters: far past the 4,000 a message may have, and past the 64 KiB a frame may have.
            var send = chat.Hub.InvokeAsync<MessageAck>("SendMessage", chat.Id, "huge", new string('x', 70_000));

            await Assert.ThrowsAnyAsync<Exception>(() => send.WaitAsync(Clients.Timeout));
            var error = await closed.Task.WaitAsync(Clients.Timeout);
            Assert.Contains("Connection closed with an error", error?.Message);
            Assert.Equal(HubConnectionState.Disconnected, chat.Hub.State);
        }

        // The visitor connects again and finds only the first message; the conversation is as it was.
        await using var again = await Server.ConnectVisitor(chat.Session);
        var history = await again.InvokeAsync<List<ChatMessage>>("GetMessages", chat.Id, 0L, 50).WaitAsync(Clients.Timeout);
        Assert.Equal(["first"], history.Select(m => m.Text));
        var tooLong = await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync<MessageAck>("SendMessage", chat.Id, "long", new string('x', 4001)).WaitAsync(Clients.Timeout));
        Assert.Contains("message too long: 4001 > 4000 characters", tooLong.Message);
        await again.InvokeAsync<ConversationView>("CloseConversation", chat.Id).WaitAsync(Clients.Timeout);
    }

    private static async Task<string?> Refusal(Task call)
    {
        try
        {
            await call;
            return null;
        }
        catch (HubException refused)
        {
            return refused.Message;
        }
    }

    private static async Task CloseAll(params VisitorChat[] chats)
    {
        foreach (var chat in chats)
            await chat.Hub.InvokeAsync<ConversationView>("CloseConversation", chat.Id).WaitAsync(Clients.Timeout);
    }

    private static IEnumerable<KeyValuePair<string, object?>> ToDictionary(object fields) =>
        fields.GetType().GetProperties().Select(p => new KeyValuePair<string, object?>(p.Name, p.GetValue(fields)));

    private sealed record ValidationProblem(string Title, Dictionary<string, string[]> Errors);
}
