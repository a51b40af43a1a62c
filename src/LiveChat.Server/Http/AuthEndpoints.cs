using System.Globalization;
using System.Security.Claims;
using LiveChat.Server.Identity;
using LiveChat.Server.Metrics;
using LiveChat.Server.Options;
using LiveChat.Server.Visitors;

namespace LiveChat.Server.Http;

internal static class AuthEndpoints
{
    public static void MapAuth(this IEndpointRouteBuilder api)
    {
        api.MapPost("/auth/token", SignIn).AllowAnonymous();
        api.MapPost("/auth/refresh", Refresh).RequireAuthorization(Policies.Agent);
        api.MapPost("/auth/signout", SignOut).RequireAuthorization(Policies.Agent);
    }

    private static async Task<IResult> SignIn(TokenRequest? request, UserDirectory users, TokenService tokens, SignInGuard guard,
        StaffSessions sessions, TimeProvider time, LiveChatMetrics metrics, HttpContext http, ILogger<SignInGuard> logger)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request?.Username))
            errors["username"] = ["username is required"];
        else if (request.Username.Length > 100)
            errors["username"] = [$"username too long: {request.Username.Length} > 100 characters"];
        if (string.IsNullOrEmpty(request?.Password))
            errors["password"] = ["password is required"];
        else if (request.Password.Length > 1000)
            errors["password"] = [$"password too long: {request.Password.Length} > 1000 characters"];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "The sign-in request is not valid.");

        var (username, address) = (request!.Username!, SessionRateLimit.ClientKey(http.Connection.RemoteIpAddress));
        // Checked before the password: a refused try costs no hash.
        if (guard.Check(username, address) is { } refusal)
        {
            metrics.SignInRefused("throttled");
            logger.LogWarning("Sign-in for {Username} from {Address} refused: {Reason}", VisitorFields.Shorten(username), address, refusal.Reason);
            var seconds = Problems.RetryAfterSeconds(refusal.RetryAfter);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed sign-ins.",
                detail: $"{refusal.Reason}; try again in {seconds} s");
        }
        var user = users.Verify(username, request.Password!, http.Connection.RemoteIpAddress);
        if (user is null)
        {
            guard.Failed(username, address);
            metrics.SignInRefused("wrong-password");
            logger.LogWarning("Sign-in for {Username} from {Address} failed: unknown username or wrong password", VisitorFields.Shorten(username), address);
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed.", detail: "Unknown username or wrong password.");
        }
        guard.Succeeded(username, address);
        return Issue(user, tokens, await sessions.CurrentVersion(user.Username.ToLowerInvariant()), time.GetUtcNow());
    }

    /// <summary>
    /// A fresh token for the bearer of a valid one, so a console renews before expiry without asking for the password,
    /// within the session's SessionHours from sign-in. A disabled or removed user, or one who signed out, never gets
    /// here: their token is refused when it is read (AddLiveChatIdentity).
    /// </summary>
    private static IResult Refresh(ClaimsPrincipal principal, UserDirectory users, TokenService tokens, StaffSessions sessions, TimeProvider time)
    {
        if (users.Find(principal.FindFirst(ClaimNames.Subject)?.Value ?? "") is not { } user)
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Renewal refused.", detail: "This user is disabled or no longer configured.");
        var signedInAt = TokenService.SignedInAt(principal) ?? time.GetUtcNow();
        if (time.GetUtcNow() >= signedInAt + tokens.SessionLength - TimeSpan.FromMinutes(1))
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Renewal refused.",
                detail: $"This session began {tokens.SessionLength.TotalHours:0} hours ago, the longest one lasts: sign in again.");
        return Issue(user, tokens, sessions.VersionOf(user.Username.ToLowerInvariant()), signedInAt);
    }

    /// <summary>Signing out ends every session of the user, on every device: their tokens are refused, their consoles closed.</summary>
    private static async Task<IResult> SignOut(ClaimsPrincipal principal, StaffSessions sessions, StaffConnections connections)
    {
        var user = principal.FindFirst(ClaimNames.Subject)?.Value ?? "";
        await sessions.SignOut(user);
        connections.CloseWithdrawn();
        return Results.NoContent();
    }

    private static IResult Issue(Options.UserOptions user, TokenService tokens, long version, DateTimeOffset signedInAt)
    {
        var (token, expiresAt) = tokens.CreateUserToken(user, version, signedInAt);
        return Results.Ok(new TokenResponse(token, expiresAt, user.Role, user.Username.ToLowerInvariant(), user.Name));
    }
}
