using LiveChat.Server.Http;
using LiveChat.Server.Hubs;
using LiveChat.Server.Options;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Hosting;

public static class LiveChatAppExtensions
{
    /// <summary>The HTTP pipeline, the API, the hubs and the health check.</summary>
    public static WebApplication MapLiveChat(this WebApplication app)
    {
        app.UseTrustedProxies();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiBodyLimit();
        app.MapWebPages();
        app.UseWidgetOriginCheck();
        app.UseCors();
        // After CORS, so a widget on an allowed site can read the 503 too.
        app.UseStartupGate();
        // After CORS, so a widget on an allowed site can read the 429 and its Retry-After.
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        var api = app.MapGroup("/api").AddEndpointFilter<RetryEndpointFilter>();
        api.MapVisitorSession();
        api.MapAuth();
        api.MapWidgetApi();

        app.MapHub<VisitorHub>("/hubs/visitor").RequireCors(WidgetEndpoints.CorsPolicy);
        // Staff consoles renew their tokens (POST /api/auth/refresh) and reconnect with the new one, so a connection can
        // close when the token it opened with expires. A widget's connection lives on its visitor token, renewed at page load.
        app.MapHub<AgentHub>("/hubs/agent", o => o.CloseOnAuthenticationExpiration = true);
        app.MapHub<SupervisorHub>("/hubs/supervisor", o => o.CloseOnAuthenticationExpiration = true);
        app.MapHealthChecks("/healthz").AllowAnonymous();

        app.Lifetime.ApplicationStarted.Register(() => app.PrintStartup());
        return app;
    }

    /// <summary>Says where the node listens and, in Development with demo users, how to sign in.</summary>
    private static void PrintStartup(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<LiveChatOptions>>().Value;
        var mode = app.Configuration.RedisConnectionString() is null ? "embedded (memory storage, localhost clustering)" : "Redis (storage, clustering, backplane)";
        app.Logger.LogInformation("LiveChat node on {Urls}, {Mode}, queues: {Queues}", string.Join(", ", app.Urls), mode, string.Join(", ", options.AllQueues));
        if (app.Environment.IsDevelopment() && options.Users.All(u => u.PasswordHash is null && u.Password == DemoUsers.Password))
        {
            foreach (var user in options.Users)
                app.Logger.LogInformation("Demo {Role}: username '{Username}', password '{Password}'", user.Role, user.Username, DemoUsers.Password);
        }
    }
}
