using System.Security.Claims;
using System.Text;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LiveChat.Server.Identity;

/// <summary>Issues and checks the bearer tokens of agents, supervisors and visitors (one signing key, the role in a claim).</summary>
public sealed class TokenService
{
    // Used only when the environment is Development and no key is configured; the validator refuses it elsewhere.
    /// <summary>The key of a Development run without one: published here, so refused anywhere else.</summary>
    public const string DevelopmentKey = "livechat-development-signing-key-not-for-production-use";
    private const string Audience = "livechat";

    private readonly AuthOptions _options;
    private readonly IdentityOptions _identity;
    private readonly TimeProvider _time;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _handler = new();

    public TokenService(IOptions<LiveChatOptions> options, TimeProvider time)
    {
        _options = options.Value.Auth;
        _identity = options.Value.Identity;
        _time = time;
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_options.SigningKey is { Length: > 0 } k ? k : DevelopmentKey));
        _credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        ValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = key,
            NameClaimType = ClaimNames.Name,
            RoleClaimType = ClaimNames.Role,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = ValidateLifetime,
        };
    }

    public TokenValidationParameters ValidationParameters { get; }

    /// <summary>
    /// A staff token of the given version, for a session that began at <paramref name="signedInAt"/> (now, at sign-in;
    /// kept by every renewal). It never outlives the session's <c>SessionHours</c>.
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt) CreateUserToken(UserOptions user, long version, DateTimeOffset signedInAt)
    {
        var now = _time.GetUtcNow();
        var lifetime = TimeSpan.FromHours(_options.AgentTokenHours);
        var sessionLeft = signedInAt + SessionLength - now;
        return Create(user.Username.ToLowerInvariant(), user.Name, user.Role, sessionLeft < lifetime ? sessionLeft : lifetime,
            extra: [new(ClaimNames.Version, version.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
                    new(ClaimNames.SignedInAt, signedInAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64)]);
    }

    /// <summary>How long a staff session lasts from sign-in, however often its token is renewed.</summary>
    public TimeSpan SessionLength => TimeSpan.FromHours(_options.SessionHours);

    /// <summary>When the session of a staff token began; sign-in time for tokens made before sessions were recorded is their issue time.</summary>
    public static DateTimeOffset? SignedInAt(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirst(ClaimNames.SignedInAt)?.Value, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds)
        : long.TryParse(principal.FindFirst("iat")?.Value, out var issued) ? DateTimeOffset.FromUnixTimeSeconds(issued) : null;

    /// <summary>
    /// The principal with only the claims LiveChat reads (subject, name, role, verified, version, sign-in and issue time),
    /// in a plain identity that does not hold on to the validated token.
    /// </summary>
    public static ClaimsPrincipal Slim(ClaimsPrincipal principal)
    {
        var identity = principal.Identity as ClaimsIdentity;
        var kept = principal.Claims
            .Where(c => c.Type is ClaimNames.Subject or ClaimNames.Name or ClaimNames.Role or ClaimNames.Verified or ClaimNames.Version or ClaimNames.SignedInAt or "iat")
            .Select(c => new Claim(c.Type, c.Value, c.ValueType));
        return new ClaimsPrincipal(new ClaimsIdentity(kept, identity?.AuthenticationType, ClaimNames.Name, ClaimNames.Role));
    }

    public static long VersionOf(ClaimsPrincipal principal) => long.TryParse(principal.FindFirst(ClaimNames.Version)?.Value, out var v) ? v : 0;

    /// <summary>A visitor's token: an anonymous visitor's lasts days, a verified one's only as long as the site's word (TokenMinutes).</summary>
    public (string Token, DateTimeOffset ExpiresAt) CreateVisitorToken(string visitorId, string name, bool verified) =>
        Create(visitorId, name, Roles.Visitor, verified ? TimeSpan.FromMinutes(_identity.TokenMinutes) : TimeSpan.FromDays(_options.VisitorTokenDays), verified);

    /// <summary>The visitor in a valid visitor token, or null for anything else (expired, forged, another role).</summary>
    public async Task<(string VisitorId, bool Verified)?> ReadVisitorAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, ValidationParameters);
        if (!result.IsValid || result.ClaimsIdentity.FindFirst(ClaimNames.Role)?.Value != Roles.Visitor ||
            result.ClaimsIdentity.FindFirst(ClaimNames.Subject)?.Value is not { } visitorId)
            return null;
        return (visitorId, bool.TryParse(result.ClaimsIdentity.FindFirst(ClaimNames.Verified)?.Value, out var verified) && verified);
    }

    /// <summary>
    /// Expiry judged by the node's <see cref="TimeProvider"/>, the clock tokens are issued by (the library's own check reads
    /// the system clock). Throws the library's exceptions, so a refusal still says the token expired.
    /// </summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is null)
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        if (expires.Value + parameters.ClockSkew < now)
            throw new SecurityTokenExpiredException($"The token expired at {expires.Value:u}.") { Expires = expires.Value };
        if (notBefore is { } from && from - parameters.ClockSkew > now)
            throw new SecurityTokenNotYetValidException($"The token is not valid before {from:u}.") { NotBefore = from };
        return true;
    }

    private (string, DateTimeOffset) Create(string subject, string name, string role, TimeSpan lifetime, bool verified = false, Claim[]? extra = null)
    {
        Claim[] claims = [new(ClaimNames.Subject, subject), new(ClaimNames.Name, name), new(ClaimNames.Role, role), .. extra ?? []];
        if (verified)
            claims = [.. claims, new(ClaimNames.Verified, "true", ClaimValueTypes.Boolean)];
        var now = _time.GetUtcNow();
        var expires = now + lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _credentials,
        });
        return (token, expires);
    }
}
