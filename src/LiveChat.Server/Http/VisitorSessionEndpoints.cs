using LiveChat.Server.Identity;
using LiveChat.Server.Options;
using LiveChat.Server.Visitors;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Http;

internal static class VisitorSessionEndpoints
{
    public static void MapVisitorSession(this IEndpointRouteBuilder api) =>
        api.MapPost("/visitor/session", OpenSession).AllowAnonymous().RequireCors(WidgetEndpoints.CorsPolicy)
            .RequireRateLimiting(SessionRateLimit.Policy);

    /// <summary>
    /// Opens a visitor session. A valid earlier visitor token resumes that visitor; a missing, expired or forged
    /// one starts a new visitor, so an old widget never gets stuck. A session signed by the site for one of its users
    /// is that user's verified visitor, the same on every device.
    /// </summary>
    private static async Task<IResult> OpenSession(VisitorSessionRequest? request, TokenService tokens, VisitorSignature signatures,
        ISignatureLedger used, IGrainFactory grains, IOptions<LiveChatOptions> options)
    {
        var limits = options.Value.Limits;
        var errors = new Dictionary<string, string[]>();
        if (request?.Name is { } name && VisitorFields.NameError(name, limits) is { } nameError)
            errors["name"] = [nameError];
        if (request?.Email is { } email && !string.IsNullOrWhiteSpace(email) && VisitorFields.EmailError(email, limits) is { } emailError)
            errors["email"] = [emailError];
        if (request?.VisitorToken is { Length: > 4096 })
            errors["visitorToken"] = ["visitorToken too long"];
        var profileSigned = false;
        if (request?.IsSigned == true)
        {
            var (signatureErrors, signedProfile) = signatures.Check(request.UserId, request.Timestamp, request.Signature, request.Nonce, request.Name, request.Email);
            foreach (var (field, messages) in signatureErrors)
                errors[field] = messages;
            profileSigned = signedProfile;
        }
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "The visitor session request is not valid.");
        // Each signature opens one session: a copy (from a page, a log, a proxy) opens none.
        if (request?.IsSigned == true && !await used.TryUseAsync(request.Signature!, signatures.AcceptedFor))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["signature"] = ["signature already used: sign each session afresh"] },
                title: "The visitor session request is not valid.");

        var verified = request?.IsSigned == true;
        var visitorId = verified ? VisitorSignature.VisitorIdOf(request!.UserId!) : await AnonymousVisitorId(request?.VisitorToken, tokens);
        // A verified visitor's name and email are the site's: unsigned ones only fill in what the site never gave.
        var overwrite = !verified || profileSigned;
        var profile = await grains.GetGrain<IVisitorGrain>(visitorId).Touch(request?.Name, request?.Email, verified, overwrite);
        var (accessToken, expiresAt) = tokens.CreateVisitorToken(visitorId, profile.Name, verified);
        return Results.Ok(new VisitorSessionResponse(visitorId, accessToken, expiresAt));
    }

    /// <summary>
    /// The anonymous visitor a token resumes, or a new one. A verified visitor's token is not enough without the site's
    /// signature (the user may have signed out of the site on a shared computer), so it starts a new visitor too.
    /// A signed request never reaches this: it ignores visitorToken, and so cannot take over an anonymous visitor.
    /// </summary>
    private static async Task<string> AnonymousVisitorId(string? visitorToken, TokenService tokens) =>
        visitorToken is { Length: > 0 } && await tokens.ReadVisitorAsync(visitorToken) is { Verified: false } visitor
            ? visitor.VisitorId
            : $"v_{Guid.NewGuid():N}";
}
