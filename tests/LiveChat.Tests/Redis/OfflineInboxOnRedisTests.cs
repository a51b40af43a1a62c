namespace LiveChat.Tests.Redis;

/// <summary>
/// A Redis-backed node's offline inbox writes one message at a time: with 50 long messages waiting, leaving another or
/// marking one handled sends Redis about one message, not the whole inbox (which it rewrote on every change before).
/// </summary>
public sealed class OfflineInboxOnRedisTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task LeavingAndMarkingAMessageSendsRedisThatMessageNotTheInbox()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Orleans:ServiceId"] = $"inbox-{Guid.NewGuid():N}",
            ["Orleans:ClusterId"] = $"inbox-{Guid.NewGuid():N}",
        };
        TestUsers.Add(settings, 0, "sue", role: "supervisor");
        await using var node = await LiveChatTestServer.StartAsync(settings);
        using var http = node.Http();
        var text = new string('x', 3000);
        for (var i = 0; i < 50; i++)
            (await http.PostAsJsonAsync("/api/visitor/offline-messages", new { queue = "support", name = $"Visitor {i}", email = $"v{i}@example.com", text = $"{i} {text}" }))
                .EnsureSuccessStatusCode();
        var (supervisor, _) = await node.ConnectSupervisor("sue");
        await using var _supervisor = supervisor;
        var inbox = await supervisor.InvokeAsync<List<OfflineMessage>>("GetOfflineMessages", "support").WaitAsync(Clients.Timeout);

        var beforeLeave = await redis.BytesReceivedAsync();
        (await http.PostAsJsonAsync("/api/visitor/offline-messages", new { queue = "support", name = "Late", email = "late@example.com", text = $"late {text}" }))
            .EnsureSuccessStatusCode();
        var leave = await redis.BytesReceivedAsync() - beforeLeave;
        var beforeMark = await redis.BytesReceivedAsync();
        await supervisor.InvokeAsync<OfflineMessage>("MarkOfflineMessageHandled", "support", inbox[10].Id, true).WaitAsync(Clients.Timeout);
        var mark = await redis.BytesReceivedAsync() - beforeMark;

        Assert.Equal(50, inbox.Count);
        // 50 messages hold about 150 KB; one is about 3 KB (and whatever else the node wrote meanwhile, far less).
        Assert.True(leave < 30_000, $"leaving one message sent Redis {leave} bytes");
        Assert.True(mark < 30_000, $"marking one message sent Redis {mark} bytes");
        Assert.Equal(51, (await supervisor.InvokeAsync<List<OfflineMessage>>("GetOfflineMessages", "support").WaitAsync(Clients.Timeout)).Count);
    }

}
