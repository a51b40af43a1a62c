using System.Net;

namespace LiveChat.Server.Options;

/// <summary>The <c>LiveChat</c> configuration section.</summary>
public sealed class LiveChatOptions
{
    public const string Section = "LiveChat";

    /// <summary>The queue a conversation goes to when the visitor names none; it always exists.</summary>
    public string DefaultQueue { get; set; } = "support";

    /// <summary>Further queues besides the default one.</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>Agents and supervisors who can sign in.</summary>
    public List<UserOptions> Users { get; set; } = [];

    /// <summary>Longest message text accepted, in characters.</summary>
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>How long an agent may be without any connection before they are set Away and their chats requeued.</summary>
    public int AwayGraceSeconds { get; set; } = 30;

    /// <summary>
    /// How often a node tells each agent grain which of the agent's connections it still holds. A connection not heard
    /// of for three of these (its node died) no longer counts, and a grain activated afresh learns its connections.
    /// Also how often each node wakes the grains that run on timers (see StandingGrains).
    /// </summary>
    public int PresenceRenewSeconds { get; set; } = 10;

    /// <summary>
    /// How long a hub call or API request keeps retrying a grain call that failed because a node died or Redis was briefly
    /// away, before it gives up with a clear error. A dead node's grains come back within about 8 s on another node.
    /// </summary>
    public int RetrySeconds { get; set; } = 20;

    /// <summary>
    /// Shortest time between two dashboard pushes, and between two rounds of queue position updates, in milliseconds:
    /// a burst of changes costs one push per interval.
    /// </summary>
    public int DashboardIntervalMilliseconds { get; set; } = 250;

    /// <summary>
    /// How many waiting visitors beyond the first places a queue tells of a new place or estimate per second, at most
    /// (docs/protocol.md, 9.4): what a long line moving fast costs in updates, whatever its length. The default keeps
    /// every place told within a third of the truth in a line of 10,000 that moves 50 places a second.
    /// </summary>
    public int PlaceUpdatesPerSecond { get; set; } = 1000;

    public SlaOptions Sla { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    public IdentityOptions Identity { get; set; } = new();

    public WidgetOptions Widget { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    /// <summary>
    /// Addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/8</c>) of the reverse proxies in front of the node. Only
    /// requests from these have their <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> believed; with none, the
    /// headers are ignored, so a client cannot pick the address its requests are counted under.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public IEnumerable<string> AllQueues => Queues.Prepend(DefaultQueue).Distinct(StringComparer.Ordinal);

    public bool IsQueue(string name) => AllQueues.Contains(name, StringComparer.Ordinal);

    public UserOptions? FindUser(string username) =>
        Users.Find(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));

    /// <summary>The queues a user serves: those configured for them, or the default queue.</summary>
    public IReadOnlyList<string> QueuesOf(UserOptions user) => user.Queues.Count > 0 ? user.Queues : [DefaultQueue];

    public IEnumerable<UserOptions> UsersServing(string queue) => Users.Where(u => QueuesOf(u).Contains(queue));

    /// <summary>
    /// How long a visitor with a waiting or assigned chat may be without any open connection (the tab closed, the
    /// network gone) before they count as gone: a waiting chat leaves its queue as abandoned, an assigned one is closed
    /// or stops counting against its agent (<see cref="QueueSettings.WhenVisitorLeaves"/>). Back within it, nothing changed.
    /// </summary>
    public int VisitorGraceSeconds { get; set; } = 60;

    /// <summary>
    /// How long a visitor's grain stays after their connection arrived while they have no conversation (a client
    /// connected before starting a chat): then it goes, so idle visitors cost the node no activation. A start meanwhile keeps it.
    /// </summary>
    public int VisitorIdleReleaseSeconds { get; set; } = 1;

    /// <summary>Settings of single queues, under <c>LiveChat:QueueSettings:{queue}</c>; a queue not named has the defaults.</summary>
    public Dictionary<string, QueueSettings> QueueSettings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The settings of a queue.</summary>
    public QueueSettings SettingsOf(string queue) => QueueSettings.GetValueOrDefault(queue) ?? Options.QueueSettings.Default;
}

/// <summary>What a queue does when its visitors leave or it grows too long.</summary>
public sealed class QueueSettings
{
    public static readonly QueueSettings Default = new();

    /// <summary>
    /// An assigned chat whose visitor has gone for the grace: <c>Close</c> (the default) closes it with a line saying
    /// why; <c>Release</c> keeps it open but stops counting it against its agent's limit until the visitor is back.
    /// </summary>
    public VisitorLeftAction WhenVisitorLeaves { get; set; } = VisitorLeftAction.Close;

    /// <summary>
    /// An assigned chat in which neither side wrote for this many seconds is handled as <see cref="WhenVisitorLeaves"/>
    /// says: closed with a line saying why, or no longer counted against its agent until someone writes. 0: never.
    /// </summary>
    public int IdleSeconds { get; set; }

    /// <summary>Chats that may wait at once; more are refused, and the widget offers the offline form. 0: no cap.</summary>
    public int MaxWaiting { get; set; }

    /// <summary>A new chat estimated to wait longer than this many minutes is offered the offline form beside it. 0: never.</summary>
    public int LongWaitMinutes { get; set; }
}

public enum VisitorLeftAction
{
    Close,
    Release,
}

/// <summary>One agent or supervisor, under <c>LiveChat:Users:N</c>.</summary>
public sealed class UserOptions
{
    public string Username { get; set; } = "";

    public string? DisplayName { get; set; }

    /// <summary><c>agent</c> or <c>supervisor</c>.</summary>
    public string Role { get; set; } = "agent";

    /// <summary>Queues served; empty means the default queue.</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>Most conversations handled at once.</summary>
    public int MaxConversations { get; set; } = 3;

    /// <summary>A hash made by <c>LiveChat.Server hash-password</c> (ASP.NET Core's PasswordHasher).</summary>
    public string? PasswordHash { get; set; }

    /// <summary>A plain password, accepted only in the Development environment.</summary>
    public string? Password { get; set; }

    /// <summary>A disabled user cannot sign in, and their tokens and open connections stop working within a minute.</summary>
    public bool Disabled { get; set; }

    public string Name => string.IsNullOrWhiteSpace(DisplayName) ? Username : DisplayName;
}

/// <summary>Service levels, under <c>LiveChat:Sla</c>: the dashboard counts conversations past them as breaches.</summary>
public sealed class SlaOptions
{
    /// <summary>Longest a visitor should wait in the queue.</summary>
    public int WaitSeconds { get; set; } = 60;

    /// <summary>Longest an assigned conversation should wait for the agent's first answer.</summary>
    public int FirstResponseSeconds { get; set; } = 60;
}

/// <summary>Metrics export, under <c>LiveChat:Metrics</c>; the <c>LiveChat</c> meter is always there for dotnet-counters.</summary>
public sealed class MetricsOptions
{
    /// <summary>An OTLP endpoint (for example <c>http://collector:4317</c>) to export metrics to; none when unset.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317 by convention) or <c>http/protobuf</c> (4318, with the path <c>/v1/metrics</c>).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>How often metrics are exported.</summary>
    public int ExportIntervalMilliseconds { get; set; } = 60_000;
}

/// <summary>Token signing, under <c>LiveChat:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>HMAC key for every token, at least 32 characters; a development key is used only in Development.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "livechat";

    public int AgentTokenHours { get; set; } = 12;

    public int VisitorTokenDays { get; set; } = 30;

    /// <summary>
    /// How often a node closes the open hub connections of agents and supervisors who were disabled or removed from
    /// <c>LiveChat:Users</c> since they connected (a reloaded configuration).
    /// </summary>
    public int UserCheckSeconds { get; set; } = 15;

    /// <summary>
    /// How long a staff session lasts from sign-in, however often its token is renewed: then the person signs in again.
    /// </summary>
    public int SessionHours { get; set; } = 24;
}

/// <summary>
/// Verified visitors, under <c>LiveChat:Identity</c>: a site that knows its user signs the visitor session with this
/// secret, and the visitor is then the same visitor on every device (docs/protocol.md, "Verified visitors").
/// </summary>
public sealed class IdentityOptions
{
    /// <summary>The HMAC-SHA256 key sites sign visitor sessions with, at least 32 characters; unset refuses signed sessions.</summary>
    public string? Secret { get; set; }

    /// <summary>How long after its timestamp a signature is accepted: a captured one stops working after this.</summary>
    public int MaxAgeSeconds { get; set; } = 600;

    /// <summary>
    /// Lifetime of a verified visitor's token. Short, unlike an anonymous visitor's: the token stands for the site's
    /// signed-in user, who may sign out of the site, so the site vouches again with a fresh signature to renew it.
    /// </summary>
    public int TokenMinutes { get; set; } = 60;
}

/// <summary>
/// What one visitor or one address may do, under <c>LiveChat:Limits</c>: generous for a person, tight for a script.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>Messages a visitor may send at once before the rate below applies (the token bucket's size).</summary>
    public int MessageBurst { get; set; } = 10;

    /// <summary>Messages a visitor may send per second, sustained (the bucket's refill).</summary>
    public int MessagesPerSecond { get; set; } = 5;

    /// <summary>Typing notices a visitor may send at once; past it (and the rate below), notices are dropped.</summary>
    public int TypingBurst { get; set; } = 10;

    /// <summary>Typing notices a visitor may send per second, sustained. The widget sends one every few seconds.</summary>
    public int TypingPerSecond { get; set; } = 2;

    /// <summary>
    /// Reads a visitor may make at once (pages of messages, their conversations) before the rate below applies. A
    /// widget catching up after a reconnect reads a few pages.
    /// </summary>
    public int ReadBurst { get; set; } = 30;

    /// <summary>Reads a visitor may make per second, sustained.</summary>
    public int ReadsPerSecond { get; set; } = 10;

    /// <summary>Offline messages one client address (an IPv6 /64) may leave per hour, on each node.</summary>
    public int OfflineMessagesPerHour { get; set; } = 10;

    /// <summary>Visitor hub connections one visitor may hold on a node at once (their tabs and devices).</summary>
    public int ConnectionsPerVisitor { get; set; } = 20;

    /// <summary>
    /// Visitor hub connections one client address (an IPv6 /64) may hold on a node at once: every visitor of an office
    /// behind one address, with their tabs, fits well within it.
    /// </summary>
    public int ConnectionsPerAddress { get; set; } = 2000;

    /// <summary>Visitor sessions (<c>POST /api/visitor/session</c>) one client address may open per minute.</summary>
    public int SessionsPerMinute { get; set; } = 60;

    /// <summary>
    /// Chats that may wait in one queue from one client address (an IPv6 /64) at once, so a script cannot fill a queue;
    /// high enough for a whole office behind one address.
    /// </summary>
    public int WaitingPerAddress { get; set; } = 50;

    /// <summary>
    /// Failed staff sign-ins one address (an IPv6 /64) may make in 15 minutes; then it waits for the window to end.
    /// A whole office of people mistyping now and then stays far below it; a password guesser does not.
    /// </summary>
    public int SignInFailuresPerAddress { get; set; } = 30;

    /// <summary>
    /// Failed sign-ins in a row for one username from one address before each further try waits (1 s, doubling up to
    /// 5 minutes). A person who mistypes their password a few times never waits.
    /// </summary>
    public int SignInFreeFailures { get; set; } = 3;

    /// <summary>Conversations a visitor may have open at once, across all queues (one per queue at most anyway).</summary>
    public int OpenConversationsPerVisitor { get; set; } = 3;

    /// <summary>Longest visitor name accepted, in characters.</summary>
    public int MaxNameLength { get; set; } = 100;

    /// <summary>Longest visitor email address accepted, in characters (254 is the most an address can have).</summary>
    public int MaxEmailLength { get; set; } = 254;

    /// <summary>
    /// Largest SignalR frame a hub reads, in bytes. A bigger frame closes the connection (SignalR's own rule), so it must
    /// leave room for the longest message text, escaped as JSON, which is then refused in words instead.
    /// </summary>
    public int MaxHubFrameBytes { get; set; } = 64 * 1024;

    /// <summary>The smallest <see cref="MaxHubFrameBytes"/> that carries a message of <paramref name="maxMessageLength"/>
    /// characters however it is escaped (six bytes for a <c>\uXXXX</c>) with room for the rest of the call.</summary>
    public static int SmallestFrameFor(int maxMessageLength) => maxMessageLength * 6 + 4096;
}

/// <summary>The node's silo: its identity in the cluster and its ports, under <c>Orleans</c>.</summary>
public sealed class OrleansOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "livechat";

    public string ServiceId { get; set; } = "livechat";

    public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// An Orleans gateway, for an operator's own Orleans client; 0 (the default) is none. A co-hosted node needs none:
    /// its hubs call the silo in-process. Whoever reaches a gateway can call any grain as anyone, so open it only where
    /// only the operator's tools reach it.
    /// </summary>
    public int GatewayPort { get; set; }

    /// <summary>
    /// Nodes probe each other this often, and a node that misses three probes in a row is suspected; once two others
    /// suspect it, it is declared dead and its grains activate elsewhere. Orleans's default is 5 s (about 15 s to evict a
    /// dead node); 3 s evicts in about 9 s. Lower is quicker, but a node stalled that long is evicted too.
    /// </summary>
    public int ProbeTimeoutSeconds { get; set; } = 3;

    /// <summary>The address other silos reach this one at; loopback when unset.</summary>
    public string? AdvertisedIp { get; set; }

    /// <summary>
    /// The address the silo (and a gateway, if any) listens on: the advertised one when unset. Set it where the
    /// advertised address is not the machine's own (a NAT): <c>0.0.0.0</c> listens on every address.
    /// </summary>
    public string? ListenIp { get; set; }

    /// <summary>
    /// TLS between the silos: a PFX file holding the cluster's certificate (the same on every node), and its password.
    /// Each node presents it and accepts a peer only if it presents the same one, so only nodes given the file join.
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    public string? TlsCertificatePassword { get; set; }

    public IPAddress Advertised => AdvertisedIp is { Length: > 0 } ip ? IPAddress.Parse(ip) : IPAddress.Loopback;

    public IPAddress Listening => ListenIp is { Length: > 0 } ip ? IPAddress.Parse(ip) : Advertised;

    /// <summary>
    /// What is wrong with these settings, each naming its setting. They configure the silo before the node's services
    /// exist, so they are checked where they are read rather than by an options validator.
    /// </summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ClusterId))
            errors.Add("Orleans:ClusterId must not be empty.");
        if (string.IsNullOrWhiteSpace(ServiceId))
            errors.Add("Orleans:ServiceId must not be empty.");
        if (SiloPort is < 1 or > 65535)
            errors.Add($"Orleans:SiloPort must be a port from 1 to 65535, not {SiloPort}.");
        if (GatewayPort is < 0 or > 65535)
            errors.Add($"Orleans:GatewayPort must be a port from 1 to 65535, or 0 for no gateway, not {GatewayPort}.");
        if (SiloPort == GatewayPort)
            errors.Add($"Orleans:SiloPort and Orleans:GatewayPort must differ, not both {SiloPort}.");
        if (ProbeTimeoutSeconds is < 1 or > 60)
            errors.Add($"Orleans:ProbeTimeoutSeconds must be between 1 and 60, not {ProbeTimeoutSeconds}.");
        if (AdvertisedIp is { Length: > 0 } ip && !IPAddress.TryParse(ip, out _))
            errors.Add($"Orleans:AdvertisedIp must be an IP address (10.0.0.5), not '{ip}'.");
        if (TlsCertificatePath is { Length: > 0 } certificate && !File.Exists(certificate))
            errors.Add($"Orleans:TlsCertificatePath names '{certificate}', which is not a file.");
        if (ListenIp is { Length: > 0 } listen && !IPAddress.TryParse(listen, out _))
            errors.Add($"Orleans:ListenIp must be an IP address (10.0.0.5, or 0.0.0.0 for every address), not '{listen}'.");
        return errors;
    }
}

/// <summary>The chat widget embedded on customers' sites.</summary>
public sealed class WidgetOptions
{
    /// <summary>
    /// Origins (scheme, host and port, for example <c>https://shop.example.com</c>) of the sites allowed to embed the widget,
    /// which then talks to this node across origins (CORS). <c>*</c> allows any site. None: only pages this node serves.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    public bool AllowsAnyOrigin => AllowedOrigins.Contains("*");
}
