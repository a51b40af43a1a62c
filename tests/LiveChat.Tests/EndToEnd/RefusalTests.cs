using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Tests.EndToEnd;

/// <summary>Wrong tokens, other people's conversations and bad input are refused in words; connections stay up; nothing stored changes.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class RefusalTests(EmbeddedServer fixture)
{
    private LiveChatTestServer Server => fixture.Server;

    [Fact]
    public async Task EachHubRefusesAMissingOrWrongToken()
    {
        var visitor = await Server.OpenVisitorSession();
        var agent = await Server.SignIn("ada");

        await AssertRefused(Server.Hub("/hubs/visitor", null), HttpStatusCode.Unauthorized);
        await AssertRefused(Server.Hub("/hubs/visitor", "not-a-token"), HttpStatusCode.Unauthorized);
        await AssertRefused(Server.Hub("/hubs/visitor", agent.AccessToken), HttpStatusCode.Forbidden);
        await AssertRefused(Server.Hub("/hubs/agent", visitor.AccessToken), HttpStatusCode.Forbidden);
        await AssertRefused(Server.Hub("/hubs/supervisor", agent.AccessToken), HttpStatusCode.Forbidden);
        await AssertRefused(Server.Hub("/hubs/supervisor", visitor.AccessToken), HttpStatusCode.Forbidden);

        // The right tokens get in.
        await using var supervisor = Server.Hub("/hubs/supervisor", (await Server.SignIn("sue")).AccessToken);
        await supervisor.StartAsync().WaitAsync(Clients.Timeout);
        Assert.Equal(HubConnectionState.Connected, supervisor.State);
    }

    [Fact]
    public async Task AVisitorCannotReadOrWriteAnotherVisitorsConversation()
    {
        await using var owner = await Server.ConnectVisitor(await Server.OpenVisitorSession("Owner"));
        var chat = await owner.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("sales", Text: "my card number is ...")).WaitAsync(Clients.Timeout);
        await using var other = await Server.ConnectVisitor(await Server.OpenVisitorSession("Other"));

        var read = await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 50).WaitAsync(Clients.Timeout));
        var write = await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "x", "hijack").WaitAsync(Clients.Timeout));
        var close = await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout));

        Assert.All(new[] { read, write, close }, e => Assert.Contains("not your conversation", e.Message));
        Assert.Equal(HubConnectionState.Connected, other.State);
        var history = await owner.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 50).WaitAsync(Clients.Timeout);
        Assert.Equal(["my card number is ..."], history.Select(m => m.Text));
        Assert.Equal(ConversationStatus.Queued, (await owner.InvokeAsync<List<ConversationView>>("GetMyConversations")).Single().Status);
    }

    [Fact]
    public async Task AnAgentCannotReachAConversationThatIsNotTheirs()
    {
        await using var visitor = await Server.ConnectVisitor(await Server.OpenVisitorSession());
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("sales", Text: "hello")).WaitAsync(Clients.Timeout);
        await using var ada = Server.Hub("/hubs/agent", (await Server.SignIn("ada")).AccessToken);
        await ada.StartAsync().WaitAsync(Clients.Timeout);

        var refused = await Assert.ThrowsAsync<HubException>(() => ada.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 50).WaitAsync(Clients.Timeout));
        Assert.Contains("not your conversation", refused.Message);
        await visitor.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task BadInputIsRefusedInWordsAndTheConnectionSurvives()
    {
        await using var visitor = await Server.ConnectVisitor(await Server.OpenVisitorSession());
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("sales")).WaitAsync(Clients.Timeout);
        await visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "ok-1", "fine").WaitAsync(Clients.Timeout);

        async Task<string> Refusal(Func<Task> call) => (await Assert.ThrowsAsync<HubException>(() => call().WaitAsync(Clients.Timeout))).Message;

        Assert.Contains("message too long: 5000 > 4000 characters",
            await Refusal(() => visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "long", new string('x', 5000))));
        Assert.Contains("message text is empty", await Refusal(() => visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "empty", "   ")));
        Assert.Contains("clientMessageId is required", await Refusal(() => visitor.InvokeAsync<MessageAck>("SendMessage", chat.ConversationId, "", "hi")));
        Assert.Contains("unknown conversation: c_nope", await Refusal(() => visitor.InvokeAsync<MessageAck>("SendMessage", "c_nope", "n", "hi")));
        Assert.Contains("limit must be from 1 to 500", await Refusal(() => visitor.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 0)));
        Assert.Contains("score must be from 1 to 5", await Refusal(() => visitor.InvokeAsync("RateConversation", chat.ConversationId, 9, null)));
        Assert.Contains("unknown queue: nowhere", await Refusal(() => visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("nowhere"))));

        Assert.Equal(HubConnectionState.Connected, visitor.State);
        var history = await visitor.InvokeAsync<List<ChatMessage>>("GetMessages", chat.ConversationId, 0L, 50).WaitAsync(Clients.Timeout);
        Assert.Equal(["fine"], history.Select(m => m.Text));
        await visitor.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task AnUnknownAgentStatusIsRefusedInWords()
    {
        await using var agent = Server.Hub("/hubs/agent", (await Server.SignIn("ben")).AccessToken);
        await agent.StartAsync().WaitAsync(Clients.Timeout);

        var refused = await Assert.ThrowsAsync<HubException>(() => agent.InvokeAsync<AgentView>("SetStatus", "Busy").WaitAsync(Clients.Timeout));

        Assert.Contains("unknown status 'Busy': use Online, Away or Offline", refused.Message);
        Assert.Equal(HubConnectionState.Connected, agent.State);
        Assert.Equal(AgentStatus.Offline, (await agent.InvokeAsync<AgentView>("SetStatus", "Offline")).Status);
    }

    [Fact]
    public async Task MalformedOrOversizedBodiesGetAProblemThatSaysWhy()
    {
        using var http = Server.Http();

        var malformed = await http.PostAsync("/api/visitor/session", new StringContent("{\"name\": 42}", Encoding.UTF8, "application/json"));
        var oversized = await http.PostAsync("/api/visitor/session", new StringContent($"{{\"name\": \"{new string('a', 20_000)}\"}}", Encoding.UTF8, "application/json"));
        var badEmail = await http.PostAsJsonAsync("/api/visitor/session", new { name = "Ann", email = "not-an-email" });
        var noPassword = await http.PostAsJsonAsync("/api/auth/token", new { username = "ada" });

        Assert.Contains("$.name", await Problem(malformed, HttpStatusCode.BadRequest));
        Assert.Contains("too large", await Problem(oversized, HttpStatusCode.BadRequest));
        Assert.Contains("not-an-email' is not an email address", await Problem(badEmail, HttpStatusCode.BadRequest));
        Assert.Contains("password is required", await Problem(noPassword, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task ASignedSessionIsRefusedWhenTheServerHasNoSiteSecret()
    {
        using var http = Server.Http();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var signed = await http.PostAsJsonAsync("/api/visitor/session", new { userId = "customer-1", timestamp = now, signature = new string('a', 64) });

        Assert.Contains("signed visitor sessions are not enabled on this server (LiveChat:Identity:Secret is not set)", await Problem(signed, HttpStatusCode.BadRequest));
        Assert.StartsWith("v_", (await Server.OpenVisitorSession("Still anonymous")).VisitorId);
    }

    [Fact]
    public async Task WrongCredentialsGetA401Problem()
    {
        using var http = Server.Http();

        var wrongPassword = await http.PostAsJsonAsync("/api/auth/token", new { username = "ada", password = "guess" });
        var unknownUser = await http.PostAsJsonAsync("/api/auth/token", new { username = "mallory", password = "guess" });

        Assert.Contains("wrong password", await Problem(wrongPassword, HttpStatusCode.Unauthorized));
        Assert.Contains("wrong password", await Problem(unknownUser, HttpStatusCode.Unauthorized));
        var signedIn = await Server.SignIn("ada");
        Assert.Equal(("agent", "ada", "Ada"), (signedIn.Role, signedIn.AgentId, signedIn.DisplayName));
    }

    [Fact]
    public async Task TheSupervisorReadsADashboardSnapshot()
    {
        await using var visitor = await Server.ConnectVisitor(await Server.OpenVisitorSession());
        var chat = await visitor.InvokeAsync<ConversationView>("StartConversation", new StartConversationRequest("sales")).WaitAsync(Clients.Timeout);
        await using var supervisor = Server.Hub("/hubs/supervisor", (await Server.SignIn("sue")).AccessToken);
        await supervisor.StartAsync().WaitAsync(Clients.Timeout);

        var dashboard = await supervisor.InvokeAsync<DashboardView>("GetDashboard").WaitAsync(Clients.Timeout);

        var sales = dashboard.Queues.Single(q => q.Name == "sales");
        Assert.True(sales.Waiting >= 1, $"sales shows {sales.Waiting} waiting");
        Assert.Equal(["Ada", "Ben", "Sue"], dashboard.Agents.Select(a => a.DisplayName));
        Assert.All(dashboard.Agents, a => Assert.Equal(3, a.MaxConversations));
        await visitor.InvokeAsync<ConversationView>("CloseConversation", chat.ConversationId).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task HealthCheckAnswers()
    {
        using var http = Server.Http();
        var response = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertRefused(HubConnection hub, HttpStatusCode status)
    {
        await using (hub)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync().WaitAsync(Clients.Timeout));
            Assert.Equal(status, error.StatusCode);
        }
    }

    private static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.ToString();
    }
}
