using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using LiveChat.Tests.Infrastructure;

namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// One node for the identity tests: a site secret for verified visitors and a clock the tests can move forward.
/// </summary>
public sealed class IdentityServer : IAsyncLifetime
{
    public const string Secret = "the-shop-site-secret-for-signing-visitor-sessions";

    public ShiftedTime Time { get; } = new();

    public LiveChatTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:DefaultQueue"] = "support",
            ["LiveChat:Identity:Secret"] = Secret,
        };
        TestUsers.Add(settings, 0, "ada", max: 10);
        Server = await LiveChatTestServer.StartAsync(settings, time: Time);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>What the site's server sends for its user, signed at the node's present time unless told otherwise.</summary>
    public object SignedSession(string userId, long? timestamp = null, string? name = null, string? visitorToken = null)
    {
        var at = timestamp ?? Time.GetUtcNow().ToUnixTimeSeconds();
        return new { name, visitorToken, userId, timestamp = at, signature = Sign(userId, at) };
    }

    /// <summary>The signature as docs/protocol.md tells a site to make it, written out here rather than borrowed from the server.</summary>
    public static string Sign(string userId, long timestamp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{userId}\n{timestamp}")));

    public async Task<SessionResponse> OpenSignedSession(string userId, string? name = null, string? visitorToken = null)
    {
        using var http = Server.Http();
        var response = await http.PostAsJsonAsync("/api/visitor/session", SignedSession(userId, name: name, visitorToken: visitorToken));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SessionResponse>())!;
    }
}

[CollectionDefinition(Name)]
public sealed class IdentityServerCollection : ICollectionFixture<IdentityServer>
{
    public const string Name = "identity server";
}
