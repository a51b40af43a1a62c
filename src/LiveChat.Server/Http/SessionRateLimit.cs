using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Http;

/// <summary>
/// Caps the visitor sessions one client address opens per minute (<c>LiveChat:Limits:SessionsPerMinute</c>). A widget
/// opens one per page load, so a person never comes near it; a script minting visitors does. The address is the
/// connection's, or the client's as a trusted proxy reports it (<c>LiveChat:TrustedProxies</c>).
/// </summary>
internal static class SessionRateLimit
{
    public const string Policy = "visitor-session";

    /// <summary>Offline messages one address may leave per hour (<c>LiveChat:Limits:OfflineMessagesPerHour</c>).</summary>
    public const string OfflineMessagePolicy = "offline-message";

    public static void AddSessionRateLimit(this IServiceCollection services) => services.AddRateLimiter(rate =>
    {
        rate.AddPolicy(Policy, context => PerAddress(context, limits => limits.SessionsPerMinute, TimeSpan.FromMinutes(1)));
        rate.AddPolicy(OfflineMessagePolicy, context => PerAddress(context, limits => limits.OfflineMessagesPerHour, TimeSpan.FromHours(1)));
        rate.OnRejected = async (rejected, cancellationToken) =>
        {
            var http = rejected.HttpContext;
            var limits = http.RequestServices.GetRequiredService<IOptions<LiveChatOptions>>().Value.Limits;
            var offline = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == OfflineMessagePolicy;
            var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : offline ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(1);
            var seconds = Problems.RetryAfterSeconds(wait);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            if (offline)
                await http.WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many offline messages.",
                    $"too many messages left from your address: at most {limits.OfflineMessagesPerHour} an hour; try again in {seconds} s");
            else
                await http.WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many chat sessions.",
                    $"too many chat sessions from your address: at most {limits.SessionsPerMinute} a minute; try again in {seconds} s");
        };
    });

    /// <summary>A fixed window of <paramref name="permits"/> per client address.</summary>
    private static RateLimitPartition<string> PerAddress(HttpContext context, Func<LimitsOptions, int> permits, TimeSpan window)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<LiveChatOptions>>().Value.Limits;
        return RateLimitPartition.GetFixedWindowLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits(limits),
            Window = window,
            QueueLimit = 0,
            // The limiter's own timer moves the windows on, rather than one timer per address.
            AutoReplenishment = false,
        });
    }

    /// <summary>
    /// The partition of an address: an IPv4 address, or an IPv6 address's /64, since one IPv6 client usually holds a whole
    /// /64 and could otherwise take a fresh address for each request.
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
