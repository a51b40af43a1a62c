using Microsoft.Extensions.Options;

namespace LiveChat.Tests.EndToEnd;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task DevelopmentWithNoUsersConfiguredSeedsDemoAgentsAndASupervisor()
    {
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>(), environment: "Development");

        var alice = await node.SignIn("alice", "demo");
        var bob = await node.SignIn("bob", "demo");
        var sam = await node.SignIn("sam", "demo");

        Assert.Equal(("agent", "agent", "supervisor"), (alice.Role, bob.Role, sam.Role));
    }

    [Fact]
    public async Task APlainPasswordOutsideDevelopmentStopsStartUpWithAClearMessage()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:Users:0:Username"] = "eve",
            ["LiveChat:Users:0:Password"] = "plain",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("LiveChat:Users:0:Password (plain) is accepted only in Development", error.Message);
    }

    [Fact]
    public async Task DemoUsersSignInOnlyFromThisMachine()
    {
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?> { ["LiveChat:TrustedProxies:0"] = "127.0.0.1" },
            environment: "Development");
        using var http = node.Http();

        using var fromAfar = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = JsonContent.Create(new { username = "sam", password = "demo" }) };
        fromAfar.Headers.Add("X-Forwarded-For", "203.0.113.5");
        using var refused = await http.SendAsync(fromAfar);
        var here = await node.SignIn("sam", "demo");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("supervisor", here.Role);
    }

    [Theory]
    [InlineData("LiveChat:Auth:SigningKey", "livechat-development-signing-key-not-for-production-use", "LiveChat:Auth:SigningKey is a published example")]
    [InlineData("LiveChat:Auth:SigningKey", "replace-with-a-random-key-of-at-least-32-characters", "LiveChat:Auth:SigningKey is a published example")]
    [InlineData("LiveChat:Identity:Secret", "a-random-secret-of-at-least-32-characters", "LiveChat:Identity:Secret is a published example")]
    public async Task APublishedKeyOutsideDevelopmentStopsStartUp(string setting, string value, string message)
    {
        var settings = new Dictionary<string, string?> { [setting] = value };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task APasswordHashMangledByShellQuotingStopsStartUpNamingTheUser()
    {
        var hash = LiveChat.Server.Identity.UserDirectory.Hash("correct horse");
        var settings = new Dictionary<string, string?>();
        TestUsers.Add(settings, 0, "ada");
        settings["LiveChat:Users:0:PasswordHash"] = hash.TrimEnd('=');

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("LiveChat:Users:0:PasswordHash is not a hash made by 'LiveChat.Server hash-password'", error.Message);
        Assert.EndsWith("==", hash);
    }

    [Fact]
    public async Task AMissingSigningKeyOutsideDevelopmentStopsStartUp()
    {
        var settings = new Dictionary<string, string?> { ["LiveChat:Auth:SigningKey"] = "" };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("LiveChat:Auth:SigningKey must be set", error.Message);
    }

    [Fact]
    public async Task BadIdentitySettingsStopStartUpWithMessagesThatNameThem()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:Identity:Secret"] = "too-short",
            ["LiveChat:Identity:MaxAgeSeconds"] = "0",
            ["LiveChat:Auth:UserCheckSeconds"] = "600",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("LiveChat:Identity:Secret must be at least 32 characters.", error.Message);
        Assert.Contains("LiveChat:Identity:MaxAgeSeconds must be between 10 and 86400, not 0.", error.Message);
        Assert.Contains("LiveChat:Auth:UserCheckSeconds must be between 1 and 60, not 600.", error.Message);
    }

    [Fact]
    public async Task ASiteSecretEqualToTheSigningKeyStopsStartUp()
    {
        var settings = new Dictionary<string, string?> { ["LiveChat:Identity:Secret"] = TestUsers.SigningKey };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("LiveChat:Identity:Secret must not be the same as LiveChat:Auth:SigningKey.", error.Message);
    }

    [Fact]
    public async Task BadLimitsStopStartUpWithMessagesThatNameThem()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:Limits:MessageBurst"] = "0",
            ["LiveChat:Limits:SessionsPerMinute"] = "-1",
            ["LiveChat:Limits:OpenConversationsPerVisitor"] = "0",
            ["LiveChat:Limits:MaxHubFrameBytes"] = "8192",
            ["LiveChat:TrustedProxies:0"] = "the-proxy",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("LiveChat:Limits:MessageBurst must be between 1 and 1000, not 0.", error.Message);
        Assert.Contains("LiveChat:Limits:SessionsPerMinute must be between 1 and 100000, not -1.", error.Message);
        Assert.Contains("LiveChat:Limits:OpenConversationsPerVisitor must be between 1 and 100, not 0.", error.Message);
        Assert.Contains("LiveChat:Limits:MaxHubFrameBytes must be at least 28096, room for a message of LiveChat:MaxMessageLength (4000 characters) escaped as JSON, not 8192.", error.Message);
        Assert.Contains("LiveChat:TrustedProxies has 'the-proxy', which is neither an IP address (10.0.0.5) nor a network (10.0.0.0/8).", error.Message);
    }

    [Fact]
    public async Task BadOrleansSettingsStopStartUpWithMessagesThatNameThem()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:ProbeTimeoutSeconds"] = "0",
            ["Orleans:AdvertisedIp"] = "node-1.local",
            ["Orleans:SiloPort"] = "70000",
            ["Orleans:ListenIp"] = "any",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => LiveChatTestServer.StartAsync(settings));

        Assert.Contains("Orleans:ProbeTimeoutSeconds must be between 1 and 60, not 0.", error.Message);
        Assert.Contains("Orleans:AdvertisedIp must be an IP address (10.0.0.5), not 'node-1.local'.", error.Message);
        Assert.Contains("Orleans:SiloPort must be a port from 1 to 65535, not 70000.", error.Message);
        Assert.Contains("Orleans:ListenIp must be an IP address (10.0.0.5, or 0.0.0.0 for every address), not 'any'.", error.Message);
    }
}
