using System.Security.Cryptography;
using System.Text;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Identity;

/// <summary>
/// Checks the signature a site puts on a visitor session for a user it knows: lowercase hex HMAC-SHA256, keyed with
/// <c>LiveChat:Identity:Secret</c>, over <c>{userId}\n{timestamp}</c> (docs/protocol.md, "Verified visitors").
/// </summary>
public sealed class VisitorSignature(IOptions<LiveChatOptions> options, TimeProvider time)
{
    public const int MaxUserIdLength = 200;

    // Room for a site's clock running a little ahead of this node's.
    public static readonly TimeSpan FutureSkew = TimeSpan.FromSeconds(60);

    public static string CanonicalString(string userId, long timestamp) => $"{userId}\n{timestamp}";

    /// <summary>
    /// The string a site signs to vouch for the visitor's name and email too, with a nonce of its choosing so that two
    /// sessions signed in the same second differ (each field empty when not sent).
    /// </summary>
    public static string CanonicalString(string userId, long timestamp, string? nonce, string? name, string? email) =>
        $"{userId}\n{timestamp}\n{nonce}\n{name}\n{email}";

    /// <summary>The signature a site sends, as the site computes it.</summary>
    public static string Sign(string secret, string userId, long timestamp) => Hmac(secret, CanonicalString(userId, timestamp));

    /// <summary>The signature that vouches for the nonce, the name and the email as well.</summary>
    public static string Sign(string secret, string userId, long timestamp, string? nonce, string? name, string? email) =>
        Hmac(secret, CanonicalString(userId, timestamp, nonce, name, email));

    public const int MaxNonceLength = 100;

    /// <summary>How long a used signature is remembered: as long as it could be accepted.</summary>
    public TimeSpan AcceptedFor => TimeSpan.FromSeconds(options.Value.Identity.MaxAgeSeconds) + FutureSkew;

    private static string Hmac(string secret, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The visitor id of a site's user: the same on every device, and never an anonymous visitor's (those start with
    /// <c>v_</c>). A plain hash rather than one keyed with the secret, so rotating the secret keeps every visitor.
    /// </summary>
    public static string VisitorIdOf(string userId) =>
        "vu_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"livechat-verified-visitor\n{userId}")))[..32];

    /// <summary>
    /// What is wrong with a signed request, by field, or nothing when the signature holds and is fresh; and whether it
    /// signs the name and email too (then they are the site's word, not the browser's).
    /// </summary>
    public (Dictionary<string, string[]> Errors, bool ProfileSigned) Check(string? userId, long? timestamp, string? signature, string? nonce = null, string? name = null, string? email = null)
    {
        var errors = CheckIdentity(userId, timestamp, signature, out var profileSigned, nonce, name, email);
        return (errors, errors.Count == 0 && profileSigned);
    }

    private Dictionary<string, string[]> CheckIdentity(string? userId, long? timestamp, string? signature, out bool profileSigned, string? nonce, string? name, string? email)
    {
        profileSigned = false;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(userId))
            errors["userId"] = ["userId is required with a signature"];
        else if (userId.Length > MaxUserIdLength)
            errors["userId"] = [$"userId too long: {userId.Length} > {MaxUserIdLength} characters"];
        else if (userId.Any(char.IsControl))
            errors["userId"] = ["userId must not contain control characters (such as a line break)"];
        if (nonce is { Length: > MaxNonceLength })
            errors["nonce"] = [$"nonce too long: {nonce.Length} > {MaxNonceLength} characters"];
        else if (nonce is not null && nonce.Any(char.IsControl))
            errors["nonce"] = ["nonce must not contain control characters (such as a line break)"];
        if (timestamp is null)
            errors["timestamp"] = ["timestamp (Unix seconds) is required with a signature"];
        if (string.IsNullOrEmpty(signature))
            errors["signature"] = ["signature is required with a userId"];
        else if (signature.Length != 64 || !signature.All(char.IsAsciiHexDigit))
            errors["signature"] = ["signature must be 64 hexadecimal characters (HMAC-SHA256)"];
        if (errors.Count > 0)
            return errors;

        if (options.Value.Identity.Secret is not { Length: > 0 } secret)
            return new() { ["signature"] = ["signed visitor sessions are not enabled on this server (LiveChat:Identity:Secret is not set)"] };

        var given = Encoding.ASCII.GetBytes(signature!.ToLowerInvariant());
        profileSigned = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, userId!, timestamp!.Value, nonce, name, email)), given);
        if (!profileSigned && (nonce is not null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, userId!, timestamp.Value)), given)))
            return new() { ["signature"] = [nonce is null
                ? "signature does not match userId and timestamp"
                : "signature does not match userId, timestamp, nonce, name and email"] };

        // Only a genuine signature gets this far, so saying how stale it is tells nothing to a forger.
        var age = time.GetUtcNow().ToUnixTimeSeconds() - timestamp.Value;
        var maxAge = options.Value.Identity.MaxAgeSeconds;
        if (age > maxAge)
            return new() { ["timestamp"] = [$"signature expired: signed {age} s ago, the limit is {maxAge} s"] };
        if (-age > FutureSkew.TotalSeconds)
            return new() { ["timestamp"] = [$"timestamp is {-age} s in the future, more than the {FutureSkew.TotalSeconds} s allowed for clock differences"] };
        return errors;
    }
}
