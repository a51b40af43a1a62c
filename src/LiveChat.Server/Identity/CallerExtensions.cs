using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;

namespace LiveChat.Server.Identity;

internal static class CallerExtensions
{
    /// <summary>The signed-in participant, from the token the hub already authorized.</summary>
    public static Caller ToCaller(this ClaimsPrincipal? user)
    {
        var id = user?.FindFirst(ClaimNames.Subject)?.Value;
        var role = user?.FindFirst(ClaimNames.Role)?.Value;
        if (id is null || role is null)
            throw new HubException("not signed in");
        return new Caller(role, id, user!.FindFirst(ClaimNames.Name)?.Value ?? id);
    }
}

/// <summary>SignalR's user id is the token subject, so grains can reach a participant's connections with <c>Clients.User(id)</c>.</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.FindFirst(ClaimNames.Subject)?.Value;
}
