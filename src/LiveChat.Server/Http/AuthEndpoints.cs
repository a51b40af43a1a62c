using LiveChat.Server.Identity;

namespace LiveChat.Server.Http;

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string Role, string AgentId, string DisplayName);

internal static class AuthEndpoints
{
    public static void MapAuth(this IEndpointRouteBuilder api) =>
        api.MapPost("/auth/token", SignIn).AllowAnonymous();

    private static IResult SignIn(TokenRequest? request, UserDirectory users, TokenService tokens)
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

        var user = users.Verify(request!.Username!, request.Password!);
        if (user is null)
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed.", detail: "Unknown username or wrong password.");
        var (token, expiresAt) = tokens.CreateUserToken(user);
        return Results.Ok(new TokenResponse(token, expiresAt, user.Role, user.Username.ToLowerInvariant(), user.Name));
    }
}
