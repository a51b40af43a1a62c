using System.Text.Json.Serialization;

namespace LiveChat.Contracts;

/// <summary>
/// Body of <c>POST /api/visitor/session</c>: a visitor's name and email, the token of an earlier session to resume, and
/// for a verified visitor the site's signature of its user id and the time.
/// </summary>
public sealed record VisitorSessionRequest(string? Name, string? Email, string? VisitorToken, string? UserId = null, long? Timestamp = null, string? Signature = null, string? Nonce = null)
{
    /// <summary>Whether the site signed the session; not on the wire.</summary>
    [JsonIgnore]
    public bool IsSigned => UserId is not null || Timestamp is not null || Signature is not null || Nonce is not null;
}

/// <summary>Answer of <c>POST /api/visitor/session</c>.</summary>
public sealed record VisitorSessionResponse(string VisitorId, string AccessToken, DateTimeOffset ExpiresAt);
