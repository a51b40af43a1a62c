using System.Net.WebSockets;
using System.Reflection;
using LiveChat.Server.Hubs;
using LiveChat.Server.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Tests.Hardening;

/// <summary>
/// Every hub method, found by reflection, called with the wrong role's token or on someone else's conversation:
/// refused, whatever the transport, and the conversation is as its owner left it.
/// </summary>
[Collection(HardeningServerCollection.Name)]
public sealed class CrossRoleTests(HardeningServer fixture)
{
    private LiveChatTestServer Server => fixture.Server;

    [Fact]
    public void NoHubMethodLowersItsHubsRole()
    {
        Assert.Equal(Policies.Agent, typeof(AgentHub).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal(Policies.Supervisor, typeof(SupervisorHub).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal(Policies.Visitor, typeof(VisitorHub).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        var loosened = HubMethods.Visitor.Concat(HubMethods.Agent).Concat(HubMethods.Supervisor)
            .Where(m => m.GetCustomAttribute<AllowAnonymousAttribute>() is not null || m.GetCustomAttribute<AuthorizeAttribute>() is not null);
        Assert.Empty(loosened.Select(m => $"{m.DeclaringType?.Name}.{m.Name}"));
    }

    [Theory]
    [InlineData("/hubs/agent", "visitor")]
    [InlineData("/hubs/supervisor", "visitor")]
    [InlineData("/hubs/supervisor", "agent")]
    public async Task EveryMethodOfAStaffHubIsRefusedToALesserToken(string path, string role)
    {
        var token = role == "visitor" ? (await Server.OpenVisitorSession("Intruder")).AccessToken : (await Server.SignIn("cal")).AccessToken;
        var methods = path == "/hubs/agent" ? HubMethods.Agent : HubMethods.Supervisor;
        Assert.NotEmpty(methods);

        // Each transport refuses the connection, so no method can be reached.
        foreach (var transport in new[] { HttpTransportType.WebSockets, HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling })
        {
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(Server.BaseAddress, path), transport, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync().WaitAsync(Clients.Timeout));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // And each method, tried over a WebSocket straight to the hub (no negotiate), is refused at the door.
        foreach (var method in methods)
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            var uri = new UriBuilder(new Uri(Server.BaseAddress, path)) { Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Clients.Timeout));
            Assert.True(socket.HttpStatusCode == HttpStatusCode.Forbidden, $"{path}.{method.Name} with a {role} token: {socket.HttpStatusCode}");
        }
    }

    [Fact]
    public async Task EveryVisitorMethodThatNamesAConversationIsRefusedOnAnotherVisitorsConversation()
    {
        await using var owner = await Server.StartVisitorChat("Owner", HardeningServer.PrivateQueue, "my address is 1 Secret Lane");
        await owner.Send("o-2", "and my phone is 555");
        var before = await owner.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", owner.Id, 0L, 50).WaitAsync(Clients.Timeout);
        await using var other = await Server.ConnectVisitor(await Server.OpenVisitorSession("Other"));

        var methods = HubMethods.Visitor.Where(HubMethods.NamesAConversation).ToList();
        Assert.Contains(methods, m => m.Name == "GetMessages");
        foreach (var method in methods)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => other.InvokeCoreAsync(method.Name, typeof(object), Arguments(method, owner.Id)).WaitAsync(Clients.Timeout));
            Assert.True(refused.Message.EndsWith("HubException: not your conversation", StringComparison.Ordinal), $"{method.Name}: {refused.Message}");
        }

        Assert.Equal(HubConnectionState.Connected, other.State);
        Assert.Empty(await other.InvokeAsync<List<ConversationView>>("GetMyConversations").WaitAsync(Clients.Timeout));
        var after = await owner.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", owner.Id, 0L, 50).WaitAsync(Clients.Timeout);
        Assert.Equal(before, after);
        Assert.Equal(ConversationStatus.Queued, (await owner.Hub.InvokeAsync<List<ConversationView>>("GetMyConversations")).Single().Status);
        await owner.Hub.InvokeAsync<ConversationView>("CloseConversation", owner.Id).WaitAsync(Clients.Timeout);
    }

    [Fact]
    public async Task EveryAgentMethodThatNamesAConversationIsRefusedToAnAgentWhoDoesNotHoldIt()
    {
        await using var owner = await Server.StartVisitorChat("Owner", HardeningServer.PrivateQueue, "private");
        var before = await owner.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", owner.Id, 0L, 50).WaitAsync(Clients.Timeout);
        await using var cal = Server.Hub("/hubs/agent", (await Server.SignIn("cal")).AccessToken);
        await cal.StartAsync().WaitAsync(Clients.Timeout);

        var methods = HubMethods.Agent.Where(HubMethods.NamesAConversation).ToList();
        Assert.Contains(methods, m => m.Name == "TransferConversation");
        foreach (var method in methods)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => cal.InvokeCoreAsync(method.Name, typeof(object), Arguments(method, owner.Id)).WaitAsync(Clients.Timeout));
            Assert.True(refused.Message.EndsWith("HubException: not your conversation", StringComparison.Ordinal), $"{method.Name}: {refused.Message}");
        }

        Assert.Equal(before, await owner.Hub.InvokeAsync<List<ChatMessage>>("GetMessages", owner.Id, 0L, 50).WaitAsync(Clients.Timeout));
        var view = (await owner.Hub.InvokeAsync<List<ConversationView>>("GetMyConversations")).Single();
        Assert.Equal((HardeningServer.PrivateQueue, ConversationStatus.Queued), (view.Queue, view.Status));
        await owner.Hub.InvokeAsync<ConversationView>("CloseConversation", owner.Id).WaitAsync(Clients.Timeout);
    }

    /// <summary>Arguments that would be accepted on one's own conversation, so only ownership can refuse them.</summary>
    private static object?[] Arguments(MethodInfo method, string conversationId) =>
        method.GetParameters().Select<ParameterInfo, object?>(p => p.Name switch
        {
            "conversationId" => conversationId,
            "clientMessageId" => $"cross-{method.Name}",
            "text" => "let me in",
            "afterSeq" => 0L,
            "limit" => 50,
            "seq" => 1L,
            "isTyping" => true,
            "score" => 5,
            "comment" => "great",
            "request" when p.ParameterType == typeof(TransferRequest) => new TransferRequest(ToQueue: "support"),
            _ => throw new InvalidOperationException($"{method.Name} has a parameter {p.Name} this test does not know: add a valid value for it"),
        }).ToArray();
}
