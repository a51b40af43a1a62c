using LiveChat.Contracts;
using LiveChat.Server.Identity;

namespace LiveChat.Server.Http;

public sealed record VisitorSessionRequest(string? Name, string? Email, string? VisitorToken);

public sealed record VisitorSessionResponse(string VisitorId, string AccessToken, DateTimeOffset ExpiresAt);

internal static class VisitorSessionEndpoints
{
    public static void MapVisitorSession(this IEndpointRouteBuilder api) =>
        api.MapPost("/visitor/session", OpenSession).AllowAnonymous().RequireCors(WidgetEndpoints.CorsPolicy);

    /// <summary>
    /// Opens a visitor session. A valid earlier visitor token resumes that visitor; a missing, expired or forged
    /// one starts a new visitor, so an old widget never gets stuck.
    /// </summary>
    private static async Task<IResult> OpenSession(VisitorSessionRequest? request, TokenService tokens, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (request?.Name is { Length: > 100 } name)
            errors["name"] = [$"name too long: {name.Length} > 100 characters"];
        if (request?.Email is { Length: > 0 } email && VisitorFields.EmailError(email) is { } emailError)
            errors["email"] = [emailError];
        if (request?.VisitorToken is { Length: > 4096 })
            errors["visitorToken"] = ["visitorToken too long"];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "The visitor session request is not valid.");

        var visitorId = request?.VisitorToken is { Length: > 0 } token ? await tokens.ReadVisitorIdAsync(token) : null;
        visitorId ??= $"v_{Guid.NewGuid():N}";
        var profile = await grains.GetGrain<IVisitorGrain>(visitorId).Touch(request?.Name, request?.Email);
        var (accessToken, expiresAt) = tokens.CreateVisitorToken(visitorId, profile.Name);
        return Results.Ok(new VisitorSessionResponse(visitorId, accessToken, expiresAt));
    }
}
