using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// What the pages need from the node besides the core protocol: the widget's calls across origins, availability and
/// offline messages; the agent console's own view and transfer menu; the supervisor's lists and chart history.
/// </summary>
public sealed class WidgetApiTests : IAsyncLifetime
{
    private const string Shop = "https://shop.example";
    private LiveChatTestServer _server = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:DefaultQueue"] = "support",
            ["LiveChat:Queues:0"] = "sales",
            ["LiveChat:Widget:AllowedOrigins:0"] = Shop,
        };
        TestUsers.Add(settings, 0, "sam", role: "supervisor", max: 3, queues: "sales");
        TestUsers.Add(settings, 1, "amy", max: 2, queues: "support");
        TestUsers.Add(settings, 2, "bo", max: 4, queues: "support");
        _server = await LiveChatTestServer.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheWidgetLearnsWhetherAnyoneIsOnlineInItsQueue()
    {
        using var http = _server.Http();

        var before = await http.GetFromJsonAsync<QueueAvailability>("/api/queues/support/availability");
        await using var amy = await _server.ConnectOnlineAgent("amy");
        var after = await http.GetFromJsonAsync<QueueAvailability>("/api/queues/support/availability");
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
        using var http = _server.Http();
        using var bad = await http.PostAsJsonAsync("/api/visitor/offline-messages", new { queue = "sales", name = "", email = "not-an-email", text = " " });
        using var good = await http.PostAsJsonAsync("/api/visitor/offline-messages", new { queue = "sales", name = "Vera", email = "vera@example.com", text = "Please call me back" });
        var (supervisor, _) = await _server.ConnectSupervisor("sam");
        await using var _ = supervisor;

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("name is required", errors.GetProperty("name")[0].GetString());
        Assert.Equal("'not-an-email' is not an email address", errors.GetProperty("email")[0].GetString());
        Assert.Equal("message text is empty", errors.GetProperty("text")[0].GetString());
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);

        var left = Assert.Single(await supervisor.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", "sales"));
        Assert.Equal(("Vera", "vera@example.com", "Please call me back", false), (left.Name, left.Email, left.Text, left.Handled));
        var handled = await supervisor.InvokeAsync<OfflineMessage>("MarkOfflineMessageHandled", "sales", left.Id, true);
        Assert.Equal(("sam", true), (handled.HandledBy, handled.Handled));
        Assert.True(Assert.Single(await supervisor.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", "sales")).Handled);
        var unknown = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<OfflineMessage>("MarkOfflineMessageHandled", "sales", "om_nope", true));
        Assert.Contains("unknown offline message: om_nope", unknown.Message);
        Assert.Empty(await supervisor.InvokeAsync<OfflineMessage[]>("GetOfflineMessages", "support"));
    }

    [Theory]
    [InlineData(Shop, "/api/visitor/session", true)]
    [InlineData(Shop, "/hubs/visitor/negotiate", true)]
    [InlineData(Shop, "/api/queues/support/availability", true)]
    [InlineData(Shop, "/api/visitor/offline-messages", true)]
    [InlineData("https://elsewhere.example", "/api/visitor/session", false)]
    [InlineData("https://elsewhere.example", "/hubs/visitor/negotiate", false)]
    [InlineData(Shop, "/api/auth/token", false)]
    [InlineData(Shop, "/hubs/agent/negotiate", false)]
    public async Task OnlyTheConfiguredSitesMayCallTheWidgetsEndpointsFromTheirPages(string origin, string path, bool allowed)
    {
        using var http = _server.Http();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", path.EndsWith("/availability") ? "GET" : "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type, x-requested-with, x-signalr-user-agent, authorization");

        using var response = await http.SendAsync(preflight);

        var granted = response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        Assert.Equal(allowed ? origin : null, granted);
    }

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
        var token = await _server.SignIn("bo");
        await using var bo = _server.Hub("/hubs/agent", token.AccessToken);
        await bo.StartAsync();

        var me = await bo.InvokeAsync<AgentView>("GetMe");
        var targets = await bo.InvokeAsync<TransferTargets>("GetTransferTargets");

        Assert.Equal(("bo", AgentStatus.Offline, 0, 4), (me.AgentId, me.Status, me.ActiveConversations, me.MaxConversations));
        Assert.Equal(["support", "sales"], targets.Queues);
        Assert.Equal(["amy", "sam"], targets.Agents.Select(a => a.AgentId).Order());
    }

    [Fact]
    public async Task ASupervisorFindsWaitingAndAssignedConversationsToWatchAndReadsTheChartsHistory()
    {
        var (supervisor, _) = await _server.ConnectSupervisor("sam");
        await using var _s = supervisor;
        await using var first = await _server.StartVisitorChat("Wendy", "support", "hello");
        await using var second = await _server.StartVisitorChat("Xavier", "support", "hi");

        var waiting = await supervisor.InvokeAsync<ConversationView[]>("GetWaitingConversations", "support");
        await using var amy = await _server.ConnectOnlineAgent("amy");
        await Eventually.True(async () => (await supervisor.InvokeAsync<ConversationView[]>("GetAgentConversations", "amy")).Length == 2, "amy holds both chats");
        var held = await supervisor.InvokeAsync<ConversationView[]>("GetAgentConversations", "AMY");
        var history = await supervisor.InvokeAsync<QueueSample[]>("GetDashboardHistory");
        var unknown = await Assert.ThrowsAsync<HubException>(() => supervisor.InvokeAsync<ConversationView[]>("GetWaitingConversations", "nope"));

        Assert.Equal([first.Id, second.Id], waiting.Select(c => c.ConversationId));
        Assert.Equal([1, 2], waiting.Select(c => c.QueuePosition ?? 0));
        Assert.Equal([first.Id, second.Id], held.Select(c => c.ConversationId));
        Assert.Empty(await supervisor.InvokeAsync<ConversationView[]>("GetWaitingConversations", "support"));
        // Sampled on activation, then every 10 seconds: at least one point per queue, each queue once per sample.
        Assert.Equal(["sales", "support"], history.Select(s => s.Queue).Distinct().Order());
        Assert.All(history.GroupBy(s => s.At), sample => Assert.Equal(2, sample.Count()));
        Assert.Contains("unknown queue: nope", unknown.Message);
    }
}
