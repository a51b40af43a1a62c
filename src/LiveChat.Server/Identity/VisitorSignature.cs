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

    /// <summary>The signature a site sends, as the site computes it.</summary>
    public static string Sign(string secret, string userId, long timestamp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(CanonicalString(userId, timestamp))));

    /// <summary>
    /// The visitor id of a site's user: the same on every device, and never an anonymous visitor's (those start with
    /// <c>v_</c>). A plain hash rather than one keyed with the secret, so rotating the secret keeps every visitor.
    /// </summary>
    public static string VisitorIdOf(string userId) =>
        "vu_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"livechat-verified-visitor\n{userId}")))[..32];

    /// <summary>What is wrong with a signed request, by field, or nothing when the signature holds and is fresh.</summary>
    public Dictionary<string, string[]> Check(string? userId, long? timestamp, string? signature)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(userId))
            errors["userId"] = ["userId is required with a signature"];
        else if (userId.Length > MaxUserIdLength)
            errors["userId"] = [$"userId too long: {userId.Length} > {MaxUserIdLength} characters"];
        else if (userId.Any(char.IsControl))
            errors["userId"] = ["userId must not contain control characters (such as a line break)"];
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

        var expected = Encoding.ASCII.GetBytes(Sign(secret, userId!, timestamp!.Value));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature!.ToLowerInvariant())))
            return new() { ["signature"] = ["signature does not match userId and timestamp"] };

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
