using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace LiveChat.Tests.EndToEnd;

/// <summary>
/// One node for the identity tests: a site secret for verified visitors, a clock the tests can move forward, users
/// the tests disable or remove (checked every second), and configuration that reloads while it runs.
/// </summary>
public sealed class IdentityServer : NodeFixture
{
    public const string Secret = "the-shop-site-secret-for-signing-visitor-sessions";

    public ShiftedTime Time { get; } = new();

    protected override TimeProvider Clock => Time;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["LiveChat:DefaultQueue"] = "support";
        settings["LiveChat:Identity:Secret"] = Secret;
        settings["LiveChat:Auth:UserCheckSeconds"] = "1";
        TestUsers.Add(settings, 0, "ada", max: 10);
        TestUsers.Add(settings, 1, "dan");
        TestUsers.Add(settings, 2, "sue", role: "supervisor");
        TestUsers.Add(settings, 3, "rex", role: "supervisor");
        TestUsers.Add(settings, 4, "kim");
    }

    /// <summary>What the site's server sends for its user, signed at the node's present time unless told otherwise.</summary>
    public object SignedSession(string userId, long? timestamp = null, string? name = null, string? visitorToken = null)
    {
        var at = timestamp ?? Time.GetUtcNow().ToUnixTimeSeconds();
        return new { name, visitorToken, userId, timestamp = at, signature = Sign(userId, at) };
    }

    /// <summary>The signature as docs/protocol.md tells a site to make it, written out here rather than borrowed from the server.</summary>
    public static string Sign(string userId, long timestamp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{userId}\n{timestamp}")));

    /// <summary>What a site sends to vouch for the name and email too, with a nonce, signed at the node's present time.</summary>
    public object SignedProfileSession(string userId, string? name = null, string? email = null, string? nonce = null)
    {
        var at = Time.GetUtcNow().ToUnixTimeSeconds();
        nonce ??= Guid.NewGuid().ToString("N");
        return new { name, email, userId, timestamp = at, nonce, signature = Sign($"{userId}\n{at}\n{nonce}\n{name}\n{email}") };
    }

    public static string Sign(string text) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(text)));

    /// <summary>A session for the site's user, its name signed with a nonce, so that sessions opened within one second differ.</summary>
    public async Task<VisitorSessionResponse> OpenSignedSession(string userId, string? name = null, string? visitorToken = null)
    {
        using var http = Server.Http();
        var at = Time.GetUtcNow().ToUnixTimeSeconds();
        var nonce = Guid.NewGuid().ToString("N");
        var response = await http.PostAsJsonAsync("/api/visitor/session",
            new { name, visitorToken, userId, timestamp = at, nonce, signature = Sign($"{userId}\n{at}\n{nonce}\n{name}\n") });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<VisitorSessionResponse>())!;
    }

    /// <summary>POST /api/auth/refresh with <paramref name="token"/> as the bearer.</summary>
    public async Task<HttpResponseMessage> Refresh(string token)
    {
        using var http = Server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}

[CollectionDefinition(Name)]
public sealed class IdentityServerCollection : ICollectionFixture<IdentityServer>
{
    public const string Name = "identity server";
}
