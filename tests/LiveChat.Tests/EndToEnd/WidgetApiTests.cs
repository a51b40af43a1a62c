using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// What the pages need from the node besides the core protocol: the widget's calls across origins, availability and
/// offline messages; the agent console's own view and transfer menu; the supervisor's lists and chart history.
/// The tests share one node and take their queues and staff from its floor.
/// </summary>
public sealed class WidgetApiTests(ShopServer fixture) : IClassFixture<ShopServer>
{
    private const string Shop = ShopServer.Shop;

    private LiveChatTestServer Server => fixture.Server;

    private Floor Floor => fixture.Floor;

    [Fact]
    public async Task TheWidgetLearnsWhetherAnyoneIsOnlineInItsQueue()
    {
        var queue = Floor.Queue(2);
        var agent = Floor.Agent(queue, max: 2);
        using var http = Server.Http();

        var before = await http.GetFromJsonAsync<QueueAvailability>($"/api/queues/{queue}/availability");
        await using var amy = await Server.ConnectOnlineAgent(agent);
        // The answer is kept a second (every page view asks); an open widget hears the change pushed at once.
        QueueAvailability? after = null;
        await Eventually.True(async () => (after = await http.GetFromJsonAsync<QueueAvailability>($"/api/queues/{queue}/availability"))!.Online,
            "the availability to say someone is online", timeoutSeconds: 5);
        using var unknown = await http.GetAsync("/api/queues/nope/availability");

        Assert.Equal((false, 0), (before!.Online, before.AgentsOnline));
        Assert.Equal((true, 1), (after!.Online, after.AgentsOnline));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("unknown queue: nope", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnOfflineMessageIsCheckedFieldByFieldThenKeptForSupervisorsToHandle()
    {
        var sales = Floor.Queue(Seat.Supervisor());
        var sam = Floor.Supervisor(sales);
        var support = Floor.Queue();
        using var http = Server.Http();
        using var bad = await http.PostAsJsonAsync("/api/visitor/offline-messages", new { queue = sales, name = "", email = "not-an-email", text = " " });
        using var good = await http.PostAsJsonAsync("/api/visitor/offline-messages", new { queue = sales, name = "Vera", email = "vera@example.com", text = "Please call me back" });
        var (supervisor, _) = await Server.ConnectSupervisor(sam);
        await using var _ = supervisor;

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("name is required", errors.GetProperty("name")[0].GetString());
        Assert.Equal("'not-an-email' is not an email address", errors.GetProperty("email")[0].GetString());
        Assert.Equal("message text is empty", errors.GetProperty("text")[0].GetString());
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);

        var left = Assert.Single(await supervisor.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", sales));
        Assert.Equal(("Vera", "vera@example.com", "Please call me back", false), (left.Name, left.Email, left.Text, left.Handled));
        var handled = await supervisor.InvokeAsync<OfflineMessage>("MarkOfflineMessageHandled", sales, left.Id, true);
        Assert.Equal((sam, true), (handled.HandledBy, handled.Handled));
        Assert.True(Assert.Single(await supervisor.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", sales)).Handled);
        var unknown = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<OfflineMessage>("MarkOfflineMessageHandled", sales, "om_nope", true));
        Assert.Contains("unknown offline message: om_nope", unknown.Message);
        Assert.Empty(await supervisor.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", support));
    }

    [Theory]
    [InlineData(Shop, "/api/visitor/session", true)]
    [InlineData(Shop, "/hubs/visitor/negotiate", true)]
    [InlineData(Shop, $"/api/queues/{ShopServer.DefaultQueue}/availability", true)]
    [InlineData(Shop, "/api/visitor/offline-messages", true)]
    [InlineData("https://elsewhere.example", "/api/visitor/session", false)]
    [InlineData("https://elsewhere.example", "/hubs/visitor/negotiate", false)]
    [InlineData(Shop, "/api/auth/token", false)]
    [InlineData(Shop, "/hubs/agent/negotiate", false)]
    public async Task OnlyTheConfiguredSitesMayCallTheWidgetsEndpointsFromTheirPages(string origin, string path, bool allowed)
    {
        using var http = Server.Http();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", path.EndsWith("/availability") ? "GET" : "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type, x-requested-with, x-signalr-user-agent, authorization");

        using var response = await http.SendAsync(preflight);

        var granted = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        Assert.Equal(allowed ? origin : null, granted);
    }

    /// <summary>Starts a node of its own, apart from the shared one: its setting differs, and the node must fail to start.</summary>
    [Fact]
    public async Task AWidgetOriginWithAPathStopsStartUpNamingTheSetting()
    {
        var settings = new Dictionary<string, string?> { ["LiveChat:Widget:AllowedOrigins:0"] = "https://shop.example/store" };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("LiveChat:Widget:AllowedOrigins has 'https://shop.example/store'", error.Message);
    }

    [Fact]
    public async Task AnAgentReadsTheirOwnLoadAndWhereTheyCanTransferTo()
    {
        var agent = Floor.Agent(Floor.Queue(4), max: 4);
        var token = await Server.SignIn(agent);
        await using var bo = Server.Hub("/hubs/agent", token.AccessToken);
        await bo.StartAsync();

        var me = await bo.InvokeAsync<AgentView>("GetMe");
        var targets = await bo.InvokeAsync<TransferTargets>("GetTransferTargets");

        Assert.Equal((agent, AgentStatus.Offline, 0, 4), (me.AgentId, me.Status, me.ActiveConversations, me.MaxConversations));
        // Every queue of the node, the default first, and every other user of the node: the node's whole floor.
        Assert.Equal([ShopServer.DefaultQueue, .. Floor.Queues], targets.Queues);
        Assert.Equal(Floor.Users.Where(u => u != agent).Order(), targets.Agents.Select(a => a.AgentId).Order());
    }

    [Fact]
    public async Task ASupervisorFindsWaitingAndAssignedConversationsToWatchAndReadsTheChartsHistory()
    {
        var queue = Floor.Queue(2);
        var agent = Floor.Agent(queue, max: 2);
        var (supervisor, _) = await Server.ConnectSupervisor(Floor.Supervisor(Floor.Queue(Seat.Supervisor())));
        await using var _s = supervisor;
        await using var first = await Server.StartVisitorChat("Wendy", queue, "hello");
        await using var second = await Server.StartVisitorChat("Xavier", queue, "hi");

        var waiting = await supervisor.InvokeAsync<ConversationView[]>("GetWaitingConversations", queue);
        await using var amy = await Server.ConnectOnlineAgent(agent);
        await Eventually.True(async () => (await supervisor.InvokeAsync<ConversationView[]>("GetAgentConversations", agent)).Length == 2, $"{agent} holds both chats");
        var held = await supervisor.InvokeAsync<ConversationView[]>("GetAgentConversations", agent.ToUpperInvariant());
        var history = await supervisor.InvokeAsync<QueueSample[]>("GetDashboardHistory");
        var unknown = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<ConversationView[]>("GetWaitingConversations", "nope"));

        Assert.Equal([first.Id, second.Id], waiting.Select(c => c.ConversationId));
        Assert.Equal([1, 2], waiting.Select(c => c.QueuePosition ?? 0));
        Assert.Equal([first.Id, second.Id], held.Select(c => c.ConversationId));
        Assert.Empty(await supervisor.InvokeAsync<ConversationView[]>("GetWaitingConversations", queue));
        // Sampled on activation, then every 10 seconds: at least one point per queue of the node, each queue once per sample.
        string[] queues = [ShopServer.DefaultQueue, .. Floor.Queues];
        Assert.Equal(queues.Order(), history.Select(s => s.Queue).Distinct().Order());
        Assert.All(history.GroupBy(s => s.At), sample => Assert.Equal(queues.Length, sample.Count()));
        Assert.Contains("unknown queue: nope", unknown.Message);
    }
}
