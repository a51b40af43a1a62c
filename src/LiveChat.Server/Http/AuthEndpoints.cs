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
    }

    private static IResult SignIn(TokenRequest? request, UserDirectory users, TokenService tokens, SignInGuard guard,
        LiveChatMetrics metrics, HttpContext http, ILogger<SignInGuard> logger)
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
            var seconds = Math.Max(1, (int)Math.Ceiling(refusal.RetryAfter.TotalSeconds));
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
        return Issue(user, tokens);
    }

    /// <summary>
    /// A fresh token for the bearer of a valid one, so a console renews before expiry without asking for the password.
    /// A disabled or removed user never gets here: their token is refused when it is read (AddLiveChatIdentity).
    /// </summary>
    private static IResult Refresh(ClaimsPrincipal principal, UserDirectory users, TokenService tokens) =>
        users.Find(principal.FindFirst(ClaimNames.Subject)?.Value ?? "") is { } user
            ? Issue(user, tokens)
            : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Renewal refused.", detail: "This user is disabled or no longer configured.");

    private static IResult Issue(Options.UserOptions user, TokenService tokens)
    {
        var (token, expiresAt) = tokens.CreateUserToken(user);
        return Results.Ok(new TokenResponse(token, expiresAt, user.Role, user.Username.ToLowerInvariant(), user.Name));
    }
}
