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
    public async Task ANodeStartedWhileRedisIsDownWaitsSaysSoAndServesOnceRedisIsBack()
    {
        var logs = new RecordingLogs();
        await redis.StopAsync();
        var starting = LiveChatTestServer.StartAsync(Settings(), logs: logs);
        await Eventually.True(() => Task.FromResult(logs.Lines.Any(line => line.Contains("Waiting for Redis")) || starting.IsCompleted), "the node to say it waits for Redis", timeoutSeconds: 40);
        Assert.False(starting.IsCompleted, "the node started, or failed to, without Redis: " + starting.Exception?.InnerException?.Message);

        await redis.StartAsync();
        await using var node = await starting.WaitAsync(TimeSpan.FromSeconds(90));
        using var http = node.Http();
        Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["ConnectionStrings:Redis"] = redis.ConnectionString,
        ["Orleans:ServiceId"] = $"ready-{Guid.NewGuid():N}",
        ["Orleans:ClusterId"] = $"ready-{Guid.NewGuid():N}",
    };

    private async Task Config(string setting, string value)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.Address},allowAdmin=true");
        await admin.GetServer(redis.Address).ConfigSetAsync(setting, value);
    }
}
