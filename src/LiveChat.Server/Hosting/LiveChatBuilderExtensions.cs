using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization;
using LiveChat.Server.History;
using LiveChat.Server.Http;
using LiveChat.Server.Hubs;
using LiveChat.Server.Identity;
using LiveChat.Server.Metrics;
using LiveChat.Server.Notifications;
using LiveChat.Server.Options;
using LiveChat.Server.Reliability;
using LiveChat.Server.Routing;
using LiveChat.Server.Storage;
using LiveChat.Server.Visitors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Serialization;
using StackExchange.Redis;

namespace LiveChat.Server.Hosting;

public static class LiveChatBuilderExtensions
{
    /// <summary>Everything a node needs: options, the co-hosted silo, identity, hubs and the message log.</summary>
    public static WebApplicationBuilder AddLiveChat(this WebApplicationBuilder builder)
    {
        builder.AddLiveChatOptions();
        builder.AddLiveChatOrleans();
        builder.AddLiveChatIdentity();
        builder.AddLiveChatRealtime();
        builder.AddLiveChatHistory();
        builder.AddLiveChatHttp();
        builder.AddLiveChatMetrics();
        return builder;
    }

    /// <summary>The Redis connection string, when one is configured: it switches storage, clustering and backplane together.</summary>
    public static string? RedisConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("Redis") is { Length: > 0 } redis ? redis : null;

    /// <summary><c>ConnectionStrings:Postgres</c>, or null when unset or empty: then the history is kept in memory on the embedded default, and not at all on Redis.</summary>
    public static string? PostgresConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("Postgres") is { Length: > 0 } postgres ? postgres : null;

    /// <summary>Binds <c>LiveChat</c>, validates it at start-up, and seeds demo users in Development when none are configured.</summary>
    public static void AddLiveChatOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LiveChatOptions>()
            .Bind(builder.Configuration.GetSection(LiveChatOptions.Section))
            .PostConfigure(options =>
            {
                if (builder.Environment.IsDevelopment() && options.Users.Count == 0)
                    options.Users.AddRange(DemoUsers.All);
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LiveChatOptions>, LiveChatOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
    }

    /// <summary>The Orleans silo in this process: localhost clustering and memory storage, or Redis for both.</summary>
    public static void AddLiveChatOrleans(this WebApplicationBuilder builder)
    {
        var orleans = builder.Configuration.GetSection(OrleansOptions.Section).Get<OrleansOptions>() ?? new OrleansOptions();
        if (orleans.Errors() is { Count: > 0 } errors)
            throw new OptionsValidationException(OrleansOptions.Section, typeof(OrleansOptions), errors);
        var redis = builder.Configuration.RedisConnectionString();
        builder.UseOrleans(silo =>
        {
            if (redis is null)
            {
                silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
                silo.AddMemoryGrainStorage(StorageNames.Grains);
                return;
            }
            var redisOptions = RedisConnections.Options(redis);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = orleans.ClusterId;
                o.ServiceId = orleans.ServiceId;
            });
            // The silo listens where the other nodes reach it, not on every address; no gateway unless one is asked for.
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = orleans.Advertised;
                o.SiloPort = orleans.SiloPort;
                o.GatewayPort = orleans.GatewayPort;
                o.SiloListeningEndpoint = new IPEndPoint(orleans.Listening, orleans.SiloPort);
                o.GatewayListeningEndpoint = orleans.GatewayPort > 0 ? new IPEndPoint(orleans.Listening, orleans.GatewayPort) : null;
            });
            if (orleans.TlsCertificatePath is { Length: > 0 } certificatePath)
                silo.UseClusterTls(X509CertificateLoader.LoadPkcs12FromFile(certificatePath, orleans.TlsCertificatePassword));
            silo.UseRedisClustering(o => o.ConfigurationOptions = redisOptions.Clone());
            silo.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = TimeSpan.FromSeconds(orleans.ProbeTimeoutSeconds));
            silo.AddRedisGrainStorage(StorageNames.Grains, o => o.ConfigurationOptions = redisOptions.Clone());
        });
        builder.Services.Configure<ExceptionSerializationOptions>(TransientFailures.CarryAcrossNodes);
        // The silo starts once Redis is there and does not evict; meanwhile the web server answers 503.
        builder.Services.AddNodeStartup(redis);
        // State written before the grains moved into feature folders names their old namespace: still read.
        builder.Services.PostConfigure<OrleansJsonSerializerOptions>(StoredTypeNames.Wrap);
    }

    /// <summary>
    /// JWT bearer for every hub and API (tokens from the query string on hub connections), one policy per role. The
    /// token of an agent or supervisor is refused once their user is disabled or removed from the configuration.
    /// </summary>
    public static void AddLiveChatIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddSingleton<UserDirectory>();
        builder.Services.AddSingleton<SignInGuard>();
        builder.Services.AddSingleton<StaffSessions>();
        builder.Services.AddSingleton<VisitorSignature>();
        builder.Services.AddSingleton<StaffConnections>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StaffConnections>());
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService, UserDirectory, StaffSessions>((jwt, tokens, users, sessions) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = tokens.ValidationParameters;
                jwt.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on a WebSocket, so SignalR sends the token as access_token.
                    OnMessageReceived = context =>
                    {
                        var token = context.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments("/hubs"))
                            context.Token = token;
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = async context =>
                    {
                        var role = context.Principal?.FindFirst(ClaimNames.Role)?.Value;
                        var user = context.Principal?.FindFirst(ClaimNames.Subject)?.Value;
                        // A hub connection keeps its principal as long as it lasts: only the claims LiveChat reads, not
                        // the validated token with its parsed payload (issue 18, memory per connection).
                        if (context.Principal is { } validated && context.HttpContext.Request.Path.StartsWithSegments("/hubs"))
                            context.Principal = TokenService.Slim(validated);
                        if (role is not (Contracts.Roles.Agent or Contracts.Roles.Supervisor))
                            return;
                        if (!users.IsActive(user ?? "", role))
                            context.Fail("This user is disabled or no longer configured.");
                        else if (!await sessions.StillSignedIn(user!, TokenService.VersionOf(context.Principal!)))
                            context.Fail("This session was signed out: sign in again.");
                    },
                    // A refused token gets a problem+json that says why (expired, or the user withdrawn), not an empty 401.
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var detail = context.AuthenticateFailure switch
                        {
                            null => "A bearer token is required.",
                            SecurityTokenExpiredException => "The token has expired: sign in again.",
                            AuthenticationFailureException failure => failure.Message,
                            _ => "The token is not valid.",
                        };
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await context.HttpContext.WriteProblemAsync(StatusCodes.Status401Unauthorized, "Not signed in.", detail);
                    },
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Visitor, p => p.RequireRole(Contracts.Roles.Visitor))
            .AddPolicy(Policies.Agent, p => p.RequireRole(Contracts.Roles.Agent, Contracts.Roles.Supervisor))
            .AddPolicy(Policies.Supervisor, p => p.RequireRole(Contracts.Roles.Supervisor));
    }

    /// <summary>
    /// The <c>LiveChat</c> meter, always on (read it with dotnet-counters); exported with OpenTelemetry over OTLP when
    /// <c>LiveChat:Metrics:OtlpEndpoint</c> is set.
    /// </summary>
    public static void AddLiveChatMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<LiveChatMetrics>();
        var settings = builder.Configuration.GetSection($"{LiveChatOptions.Section}:Metrics").Get<MetricsOptions>() ?? new MetricsOptions();
        // A bad endpoint is reported by the options validator at start-up; here it only means no export.
        if (string.IsNullOrWhiteSpace(settings.OtlpEndpoint) || !Uri.TryCreate(settings.OtlpEndpoint, UriKind.Absolute, out var otlp))
            return;
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(LiveChatMetrics.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = otlp;
                exporter.Protocol = settings.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.ExportIntervalMilliseconds;
            }));
    }

    /// <summary>The stores the embedded default keeps in this process: message log, the history's marks, feedback, queues, used signatures, staff token versions, offline messages.</summary>
    public static IServiceCollection AddLiveChatMemoryStores(this IServiceCollection services) => services
        .AddSingleton<InMemoryHistoryFeed>()
        .AddSingleton<IHistoryFeed>(provider => provider.GetRequiredService<InMemoryHistoryFeed>())
        // No marks: the embedded default's history reads the log itself (with PostgreSQL, AddLiveChatHistory gives it one that marks).
        .AddSingleton<IMessageLog>(_ => new InMemoryMessageLog())
        .AddSingleton<IFeedbackStore, InMemoryFeedbackStore>()
        .AddSingleton<IQueueStore, InMemoryQueueStore>()
        .AddSingleton<ISignatureLedger, InMemorySignatureLedger>()
        .AddSingleton<IStaffVersionStore, InMemoryStaffVersionStore>()
        .AddSingleton<IOfflineMessageStore, InMemoryOfflineMessageStore>();

    /// <summary>SignalR (its sends passed between nodes through Redis when configured), the message log and the feedback store.</summary>
    public static void AddLiveChatRealtime(this WebApplicationBuilder builder)
    {
        var redis = builder.Configuration.RedisConnectionString();
        builder.Services
            .AddSignalR()
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // The same JSON protocol, with calls whose arguments cannot be bound refused in words.
        foreach (var json in builder.Services.Where(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType == typeof(JsonHubProtocol)).ToList())
            builder.Services.Remove(json);
        builder.Services.AddSingleton<IHubProtocol, WordedJsonHubProtocol>();
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        builder.Services.AddSingleton<INotifier, SignalRNotifier>();
        builder.Services.AddSingleton<VisitorRateLimits>();
        builder.Services.AddSingleton<VisitorConnectionCaps>();
        builder.Services.AddSingleton<AvailabilityCache>();
        // Room for a full-length message in any script (the validator sees to it), so an over-long one is refused in words.
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<LiveChatOptions>>((hub, options) =>
            hub.MaximumReceiveMessageSize = options.Value.Limits.MaxHubFrameBytes);
        // The filters as instances: one added by type is looked up and wrapped in a task of its own on every call (issue 18).
        builder.Services.AddSingleton<ChatRuleHubFilter>();
        builder.Services.AddOptions<HubOptions>().Configure<ChatRuleHubFilter, StaffConnections>((hub, rules, staff) =>
        {
            hub.AddFilter(rules);
            hub.AddFilter(staff);
        });
        builder.Services.AddSingleton<TransientRetry>();
        builder.Services.AddSingleton<AgentPresence>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AgentPresence>());
        builder.Services.AddSingleton<VisitorPresenceTracker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<VisitorPresenceTracker>());
        builder.Services.AddHostedService<StandingGrains>();

        // This node's connections by user and group; on Redis, the other nodes' through one subscription per hub.
        builder.Services.AddSingleton(typeof(HubLifetimeManager<>), typeof(NodeHubLifetimeManager<>));
        if (redis is null)
        {
            builder.Services.AddLiveChatMemoryStores();
            return;
        }
        builder.Services.AddSingleton<HubBus>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HubBus>());
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisConnections.Options(redis)));
        // The history is marked only when one is kept: on Redis, that is in PostgreSQL.
        var history = builder.Configuration.PostgresConnectionString() is not null;
        builder.Services.AddSingleton<IMessageLog>(provider => new RedisMessageLog(provider.GetRequiredService<IConnectionMultiplexer>(), markForHistory: history));
        if (history)
            builder.Services.AddSingleton<IHistoryFeed, RedisHistoryFeed>();
        else
            builder.Services.AddSingleton<IHistoryFeed, NoHistoryFeed>();
        builder.Services.AddSingleton<IFeedbackStore, RedisFeedbackStore>();
        builder.Services.AddSingleton<IQueueStore, RedisQueueStore>();
        builder.Services.AddSingleton<ISignatureLedger, RedisSignatureLedger>();
        builder.Services.AddSingleton<IStaffVersionStore, RedisStaffVersionStore>();
        builder.Services.AddSingleton<IOfflineMessageStore, RedisOfflineMessageStore>();
    }

    /// <summary>
    /// The history (archive, reports, retention): in PostgreSQL when <c>ConnectionStrings:Postgres</c> is set, its schema
    /// brought up to date in the background; in memory on the embedded default, so it still needs nothing; none on Redis
    /// without PostgreSQL. Fed by the archiver from the conversations' marks.
    /// </summary>
    public static void AddLiveChatHistory(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.PostgresConnectionString() is not { } postgres)
        {
            // On Redis without PostgreSQL no history is kept: one in memory per node would be partial, and lost with it.
            if (builder.Configuration.RedisConnectionString() is not null)
                return;
            // The messages stay in the in-memory log, which the history reads.
            builder.Services.AddSingleton<IHistoryStore>(provider => new InMemoryHistoryStore(provider.GetRequiredService<IMessageLog>()));
            builder.Services.AddHostedService<HistoryArchiver>();
            return;
        }
        builder.Services.AddHostedService<HistoryArchiver>();
        // On the embedded default with PostgreSQL, the in-memory log marks what it stores, for the archiver to copy.
        if (builder.Configuration.RedisConnectionString() is null)
            builder.Services.AddSingleton<IMessageLog>(provider => new InMemoryMessageLog(provider.GetRequiredService<InMemoryHistoryFeed>()));
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
        builder.Services.AddSingleton<IHistoryStore, PostgresHistoryStore>();
        builder.Services.AddSingleton<HistorySchemaService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HistorySchemaService>());
    }

    /// <summary>Problem details for every error, readable 400s for bad bodies, health checks.</summary>
    public static void AddLiveChatHttp(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
            // The statuses the framework answers by itself say what to do, as the API's own refusals do.
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status403Forbidden => "This token's role does not allow this call: see docs/protocol.md for who may make it.",
                StatusCodes.Status404NotFound => "There is nothing at this address: see docs/protocol.md for the API.",
                StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed here.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON, with Content-Type: application/json.",
                _ => null,
            });
        builder.Services.AddWidgetCors();
        builder.Services.AddSessionRateLimit();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Bad bodies throw, so the handler above can say what is wrong with them.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var health = builder.Services.AddHealthChecks()
            .AddCheck<StartupHealthCheck>("startup")
            .AddCheck<OrleansHealthCheck>("orleans");
        if (builder.Configuration.RedisConnectionString() is not null)
            health.AddCheck<RedisHealthCheck>("redis");
    }
}
