using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Identity;

internal static class CallerExtensions
{
    private static readonly object ClaimsKey = new();

    /// <summary>
    /// What the connection's token says, read from its claims once per connection (a token does not change while its
    /// connection lasts). Reading the claims on every hub call was 6% of what a node allocated on the chat path (issue 18).
    /// </summary>
    public static ConnectionClaims Claims(this HubCallerContext context)
    {
        if (context.Items.TryGetValue(ClaimsKey, out var known) && known is ConnectionClaims claims)
            return claims;
        claims = ConnectionClaims.Of(context.User);
        context.Items[ClaimsKey] = claims;
        return claims;
    }
}

/// <summary>
/// A token's subject, role, display name and version (staff tokens), as its claims say; <see cref="Caller"/> is the
/// signed-in participant the hub already authorized.
/// </summary>
internal sealed class ConnectionClaims(string? subject, string? role, string? name, long version)
{
    private readonly Caller? _caller = subject is not null && role is not null ? new Caller(role, subject, name ?? subject) : null;

    public string? Role => role;

    public long Version => version;

    /// <summary>The participant; a HubException when the token names no subject or role.</summary>
    public Caller Caller => _caller ?? throw new HubException("not signed in");

    public static ConnectionClaims Of(ClaimsPrincipal? user) =>
        new(user?.FindFirst(ClaimNames.Subject)?.Value, user?.FindFirst(ClaimNames.Role)?.Value, user?.FindFirst(ClaimNames.Name)?.Value,
            user is null ? 0 : TokenService.VersionOf(user));
}

/// <summary>SignalR's user id is the token subject, so grains can reach a participant's connections with <c>Clients.User(id)</c>.</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.FindFirst(ClaimNames.Subject)?.Value;
}
