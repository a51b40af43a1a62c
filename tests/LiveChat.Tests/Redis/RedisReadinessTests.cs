using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>What a node says and does about the Redis it is given, before it serves anyone.</summary>
public sealed class RedisReadinessTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ANodeRefusesARedisThatEvictsKeysAndSaysWhichSettingToChange()
    {
        await Config("maxmemory-policy", "allkeys-lru");
        try
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => LiveChatTestServer.StartAsync(Settings()));

            Assert.Contains("maxmemory-policy allkeys-lru", refused.Message);
            Assert.Contains("noeviction", refused.Message);
        }
        finally
        {
            await Config("maxmemory-policy", "noeviction");
        }
    }

    [Fact]
    public async Task ANodeWarnsWhenRedisKeepsNoAppendOnlyFile()
    {
        await Config("appendonly", "no");
        try
        {
            var logs = new RecordingLogs();
            await using var node = await LiveChatTestServer.StartAsync(Settings(), logs: logs);

            Assert.Contains(logs.Lines, line => line.StartsWith("Warning:", StringComparison.Ordinal) && line.Contains("appendonly no"));
        }
        finally
        {
            await Config("appendonly", "yes");
        }
    }

    [Fact]
    public async Task ANodeStartedBeforeRedisSaysItWaitsAnswersHealthz503AndServesChatsOnceRedisIsThere()
    {
        // Nothing listens on this Redis's port until the test starts it.
        await using var later = new RedisServer();
        var settings = Settings(later.ConnectionString);
        TestUsers.Add(settings, 0, "ada", queues: "support");
        var logs = new RecordingLogs();

        await using var node = await LiveChatTestServer.StartAsync(settings, logs: logs);

        Assert.Contains(logs.Lines, line => line.StartsWith("Warning:", StringComparison.Ordinal) && line.Contains($"Waiting for Redis at {later.Address}"));
        using var http = node.Http();
        var health = await http.GetAsync("/healthz");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        // No chat is served before the silo is up: the API and the hubs say the node is starting.
        var session = await http.PostAsJsonAsync("/api/visitor/session", new { name = "Early" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, session.StatusCode);
        Assert.Equal("application/problem+json", session.Content.Headers.ContentType?.MediaType);
        Assert.Contains("starting", (await session.Content.ReadFromJsonAsync<ProblemBody>())!.Detail);
        Assert.NotNull(session.Headers.RetryAfter);
        await using (var early = node.Hub("/hubs/visitor", null))
        {
            var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => early.StartAsync().WaitAsync(Clients.Timeout));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        await later.StartAsync();

        await Eventually.True(async () => (await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK, "/healthz to answer 200 once Redis is there", timeoutSeconds: 30);
        await using var agent = await node.ConnectOnlineAgent("ada");
        var assigned = agent.Record<ConversationView>("ConversationAssigned");
        var received = agent.Record<ChatMessage>("MessageReceived");
        await using var visitor = await node.StartVisitorChat("Petra", "support", text: "hello, anyone?");
        Assert.Equal("ada", (await assigned.Next(c => c.ConversationId == visitor.Id)).AgentId);
        var ack = await visitor.Send("v1", "is the order shipped?");
        Assert.Equal("is the order shipped?", (await received.Next(m => m.Seq == ack.Seq)).Text);
    }

    private sealed record ProblemBody(string Title, string Detail);

    private Dictionary<string, string?> Settings(string? connectionString = null) => new()
    {
        ["ConnectionStrings:Redis"] = connectionString ?? redis.ConnectionString,
        ["Orleans:ServiceId"] = $"ready-{Guid.NewGuid():N}",
        ["Orleans:ClusterId"] = $"ready-{Guid.NewGuid():N}",
    };

    private async Task Config(string setting, string value)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.Address},allowAdmin=true");
        await admin.GetServer(redis.Address).ConfigSetAsync(setting, value);
    }
}
