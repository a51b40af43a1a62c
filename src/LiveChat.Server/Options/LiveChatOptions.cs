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

    public SlaOptions Sla { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    public IdentityOptions Identity { get; set; } = new();

    public WidgetOptions Widget { get; set; } = new();

    public IEnumerable<string> AllQueues => Queues.Prepend(DefaultQueue).Distinct(StringComparer.Ordinal);

    public bool IsQueue(string name) => AllQueues.Contains(name, StringComparer.Ordinal);

    public UserOptions? FindUser(string username) =>
        Users.Find(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));

    /// <summary>The queues a user serves: those configured for them, or the default queue.</summary>
    public IReadOnlyList<string> QueuesOf(UserOptions user) => user.Queues.Count > 0 ? user.Queues : [DefaultQueue];

    public IEnumerable<UserOptions> UsersServing(string queue) => Users.Where(u => QueuesOf(u).Contains(queue));
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
}

/// <summary>The node's silo: its identity in the cluster and its ports, under <c>Orleans</c>.</summary>
public sealed class OrleansOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "livechat";

    public string ServiceId { get; set; } = "livechat";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Nodes probe each other this often, and a node that misses three probes in a row is suspected; once two others
    /// suspect it, it is declared dead and its grains activate elsewhere. Orleans's default is 5 s (about 15 s to evict a
    /// dead node); 3 s evicts in about 9 s. Lower is quicker, but a node stalled that long is evicted too.
    /// </summary>
    public int ProbeTimeoutSeconds { get; set; } = 3;

    /// <summary>The address other silos reach this one at; loopback when unset.</summary>
    public string? AdvertisedIp { get; set; }
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
