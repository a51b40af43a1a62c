using System.Net;
using LiveChat.Server.Identity;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Options;

/// <summary>Fails start-up with a message that names the bad setting.</summary>
internal sealed class LiveChatOptionsValidator(IHostEnvironment environment) : IValidateOptions<LiveChatOptions>
{
    public ValidateOptionsResult Validate(string? name, LiveChatOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DefaultQueue))
            errors.Add("LiveChat:DefaultQueue must not be empty.");
        // Capped so the longest message, escaped as JSON, still fits in one hub frame and is refused in words.
        if (options.MaxMessageLength is < 1 or > 10_000)
            errors.Add($"LiveChat:MaxMessageLength must be between 1 and 10000, not {options.MaxMessageLength}.");
        if (options.AwayGraceSeconds < 0)
            errors.Add("LiveChat:AwayGraceSeconds must not be negative.");
        if (options.VisitorGraceSeconds is < 1 or > 86_400)
            errors.Add($"LiveChat:VisitorGraceSeconds must be between 1 and 86400, not {options.VisitorGraceSeconds}.");
        foreach (var queue in options.QueueSettings.Keys.Where(q => !options.IsQueue(q)))
            errors.Add($"LiveChat:QueueSettings names {queue}, which is not a queue: add it to LiveChat:Queues, or remove its settings.");
        foreach (var (queue, settings) in options.QueueSettings)
        {
            if (settings.MaxWaiting < 0 || settings.LongWaitMinutes < 0 || settings.IdleSeconds < 0)
                errors.Add($"LiveChat:QueueSettings:{queue}: MaxWaiting, LongWaitMinutes and IdleSeconds must not be negative (0 turns each off).");
        }
        if (options.VisitorIdleReleaseSeconds is < 1 or > 3_600)
            errors.Add($"LiveChat:VisitorIdleReleaseSeconds must be between 1 and 3600, not {options.VisitorIdleReleaseSeconds}.");
        if (options.PresenceRenewSeconds is < 1 or > 60)
            errors.Add($"LiveChat:PresenceRenewSeconds must be between 1 and 60, not {options.PresenceRenewSeconds}.");
        if (options.RetrySeconds is < 0 or > 120)
            errors.Add($"LiveChat:RetrySeconds must be between 0 and 120, not {options.RetrySeconds}.");
        if (options.DashboardIntervalMilliseconds is < 50 or > 10_000)
            errors.Add($"LiveChat:DashboardIntervalMilliseconds must be between 50 and 10000, not {options.DashboardIntervalMilliseconds}.");
        if (options.PlaceUpdatesPerSecond is < 1 or > 100_000)
            errors.Add($"LiveChat:PlaceUpdatesPerSecond must be between 1 and 100000, not {options.PlaceUpdatesPerSecond}.");
        if (options.Sla.WaitSeconds < 1)
            errors.Add($"LiveChat:Sla:WaitSeconds must be at least 1, not {options.Sla.WaitSeconds}.");
        if (options.Sla.FirstResponseSeconds < 1)
            errors.Add($"LiveChat:Sla:FirstResponseSeconds must be at least 1, not {options.Sla.FirstResponseSeconds}.");
        if (options.Metrics.OtlpEndpoint is { Length: > 0 } otlp && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
            errors.Add($"LiveChat:Metrics:OtlpEndpoint must be an absolute URI, not '{otlp}'.");
        if (options.Metrics.OtlpProtocol is not ("grpc" or "http/protobuf"))
            errors.Add($"LiveChat:Metrics:OtlpProtocol must be 'grpc' or 'http/protobuf', not '{options.Metrics.OtlpProtocol}'.");
        if (options.Metrics.ExportIntervalMilliseconds is < 100 or > 3_600_000)
            errors.Add($"LiveChat:Metrics:ExportIntervalMilliseconds must be between 100 and 3600000, not {options.Metrics.ExportIntervalMilliseconds}.");
        if (!environment.IsDevelopment() && (options.Auth.SigningKey?.Length ?? 0) < 32)
            errors.Add("LiveChat:Auth:SigningKey must be set to at least 32 characters outside Development.");
        // Keys anyone can read (the development key, the documentation's examples) sign anyone's tokens.
        else if (!environment.IsDevelopment() && Published.Contains(options.Auth.SigningKey!))
            errors.Add("LiveChat:Auth:SigningKey is a published example that anyone can sign tokens with: make a random one (openssl rand -base64 48).");
        else if (options.Auth.SigningKey is { Length: > 0 and < 32 })
            errors.Add("LiveChat:Auth:SigningKey must be at least 32 characters.");
        if (options.Auth.SessionHours is < 1 or > 720)
            errors.Add($"LiveChat:Auth:SessionHours must be between 1 and 720, not {options.Auth.SessionHours}.");
        if (options.Auth.UserCheckSeconds is < 1 or > 60)
            errors.Add($"LiveChat:Auth:UserCheckSeconds must be between 1 and 60, not {options.Auth.UserCheckSeconds}.");
        if (options.Identity.Secret is { Length: > 0 and < 32 })
            errors.Add("LiveChat:Identity:Secret must be at least 32 characters.");
        else if (!environment.IsDevelopment() && options.Identity.Secret is { Length: > 0 } shared && Published.Contains(shared))
            errors.Add("LiveChat:Identity:Secret is a published example that anyone can sign sessions with: make a random one (openssl rand -base64 48).");
        // Sites hold this secret; were it the signing key too, a site could make agents' tokens.
        if (options.Identity.Secret is { Length: > 0 } secret && secret == options.Auth.SigningKey)
            errors.Add("LiveChat:Identity:Secret must not be the same as LiveChat:Auth:SigningKey.");
        if (options.Identity.MaxAgeSeconds is < 10 or > 86_400)
            errors.Add($"LiveChat:Identity:MaxAgeSeconds must be between 10 and 86400, not {options.Identity.MaxAgeSeconds}.");
        if (options.Identity.TokenMinutes is < 5 or > 1440)
            errors.Add($"LiveChat:Identity:TokenMinutes must be between 5 and 1440, not {options.Identity.TokenMinutes}.");
        ValidateLimits(options, errors);
        foreach (var proxy in options.TrustedProxies.Where(p => !IPNetwork.TryParse(p, out _) && !IPAddress.TryParse(p, out _)))
            errors.Add($"LiveChat:TrustedProxies has '{proxy}', which is neither an IP address (10.0.0.5) nor a network (10.0.0.0/8).");

        foreach (var origin in options.Widget.AllowedOrigins.Where(o => o != "*" && !IsOrigin(o)))
            errors.Add($"LiveChat:Widget:AllowedOrigins has '{origin}', which is not an origin such as https://shop.example.com (scheme, host and port only, no path), or *.");

        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var at = $"LiveChat:Users:{i}";
            if (string.IsNullOrWhiteSpace(user.Username))
                errors.Add($"{at}:Username must be set.");
            if (user.Role is not ("agent" or "supervisor"))
                errors.Add($"{at}:Role must be 'agent' or 'supervisor', not '{user.Role}'.");
            if (user.MaxConversations is < 1 or > 100)
                errors.Add($"{at}:MaxConversations must be between 1 and 100, not {user.MaxConversations}.");
            if (string.IsNullOrEmpty(user.PasswordHash) && string.IsNullOrEmpty(user.Password))
                errors.Add($"{at}:PasswordHash must be set (make one with 'LiveChat.Server hash-password').");
            if (string.IsNullOrEmpty(user.PasswordHash) && !string.IsNullOrEmpty(user.Password) && !environment.IsDevelopment())
                errors.Add($"{at}:Password (plain) is accepted only in Development; set {at}:PasswordHash instead.");
            if (user.PasswordHash is { Length: > 0 } hash && !UserDirectory.IsWellFormedHash(hash))
                errors.Add($"{at}:PasswordHash is not a hash made by 'LiveChat.Server hash-password' (it may have lost a '+', '/' or '=' to shell " +
                    "quoting: put it in single quotes): this user could never sign in.");
            foreach (var queue in user.Queues.Where(q => !options.IsQueue(q)))
                errors.Add($"{at}:Queues names '{queue}', which is not a configured queue.");
        }
        foreach (var duplicate in options.Users.GroupBy(u => u.Username, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            errors.Add($"LiveChat:Users has '{duplicate.Key}' more than once.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Secrets printed in this repository, refused outside Development.</summary>
    private static readonly HashSet<string> Published = new(StringComparer.Ordinal)
    {
        TokenService.DevelopmentKey,
        "replace-with-a-random-key-of-at-least-32-characters",
        "a-random-secret-of-at-least-32-characters",
    };

    private static void ValidateLimits(LiveChatOptions options, List<string> errors)
    {
        var limits = options.Limits;
        void Range(string name, int value, int min, int max)
        {
            if (value < min || value > max)
                errors.Add($"LiveChat:Limits:{name} must be between {min} and {max}, not {value}.");
        }
        Range(nameof(limits.MessageBurst), limits.MessageBurst, 1, 1000);
        Range(nameof(limits.MessagesPerSecond), limits.MessagesPerSecond, 1, 1000);
        Range(nameof(limits.TypingBurst), limits.TypingBurst, 1, 1000);
        Range(nameof(limits.TypingPerSecond), limits.TypingPerSecond, 1, 1000);
        Range(nameof(limits.SessionsPerMinute), limits.SessionsPerMinute, 1, 100_000);
        Range(nameof(limits.OfflineMessagesPerHour), limits.OfflineMessagesPerHour, 1, 100_000);
        Range(nameof(limits.ConnectionsPerVisitor), limits.ConnectionsPerVisitor, 1, 1000);
        Range(nameof(limits.ConnectionsPerAddress), limits.ConnectionsPerAddress, 1, 1_000_000);
        Range(nameof(limits.ReadBurst), limits.ReadBurst, 1, 10_000);
        Range(nameof(limits.ReadsPerSecond), limits.ReadsPerSecond, 1, 1000);
        Range(nameof(limits.SignInFailuresPerAddress), limits.SignInFailuresPerAddress, 5, 100_000);
        Range(nameof(limits.SignInFreeFailures), limits.SignInFreeFailures, 2, 100);
        Range(nameof(limits.WaitingPerAddress), limits.WaitingPerAddress, 1, 100_000);
        Range(nameof(limits.OpenConversationsPerVisitor), limits.OpenConversationsPerVisitor, 1, 100);
        Range(nameof(limits.MaxNameLength), limits.MaxNameLength, 1, 1000);
        Range(nameof(limits.MaxEmailLength), limits.MaxEmailLength, 6, 254);
        var smallest = LimitsOptions.SmallestFrameFor(Math.Clamp(options.MaxMessageLength, 1, 10_000));
        if (limits.MaxHubFrameBytes < smallest)
            errors.Add($"LiveChat:Limits:MaxHubFrameBytes must be at least {smallest}, room for a message of LiveChat:MaxMessageLength ({options.MaxMessageLength} characters) escaped as JSON, not {limits.MaxHubFrameBytes}.");
        else if (limits.MaxHubFrameBytes > 1024 * 1024)
            errors.Add($"LiveChat:Limits:MaxHubFrameBytes must be at most 1048576 (1 MiB), not {limits.MaxHubFrameBytes}.");
    }

    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" &&
        uri.Query.Length == 0 && uri.Fragment.Length == 0 && !value.EndsWith('/') && uri.UserInfo.Length == 0;
}
