using LiveChat.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// A real LiveChat node, built exactly as Program.cs builds it, on Kestrel at a free loopback port, with its own
/// silo ports and cluster id. Configuration comes only from the settings given (no environment leaks in), and can be
/// changed while the node runs (<see cref="Settings"/>). A <paramref name="time"/> given replaces the node's clock, and
/// <paramref name="logs"/> hears what the node logs at Warning and above; <paramref name="services"/>
/// replaces services after the node's own (a faulty store).
/// </summary>
public sealed class LiveChatTestServer : ILiveChatNode, IAsyncDisposable
{
    private readonly WebApplication _app;

    private LiveChatTestServer(WebApplication app, Uri baseAddress, ReloadableSettings settings)
    {
        _app = app;
        BaseAddress = baseAddress;
        Settings = settings;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Activations of a grain class on the node, as Orleans counts them (types are named "Namespace.Class,Assembly").</summary>
    public async Task<int> Activations(string grainClass)
    {
        var statistics = await Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Split(',')[0].EndsWith("." + grainClass, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    /// <summary>The node's configuration; changing it reloads it, as an edited appsettings.json would.</summary>
    public ReloadableSettings Settings { get; }

    public static async Task<LiveChatTestServer> StartAsync(IDictionary<string, string?> settings, string environment = "Production", TimeProvider? time = null, ILoggerProvider? logs = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        var all = new Dictionary<string, string?>
        {
            ["LiveChat:Auth:SigningKey"] = TestUsers.SigningKey,
            ["Orleans:SiloPort"] = FreePort.Next().ToString(),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(),
            ["Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
            // Every test client comes from 127.0.0.1, so a run would soon pass a person's allowance of sessions, and test
            // visitors send far faster than people type. The tests of those limits set the real ones.
            ["LiveChat:Limits:SessionsPerMinute"] = "100000",
            ["LiveChat:Limits:MessageBurst"] = "1000",
            ["LiveChat:Limits:MessagesPerSecond"] = "1000",
            ["LiveChat:Limits:TypingBurst"] = "1000",
            ["LiveChat:Limits:TypingPerSecond"] = "1000",
            ["LiveChat:Limits:ReadBurst"] = "1000",
            ["LiveChat:Limits:ReadsPerSecond"] = "1000",
            ["LiveChat:Limits:OfflineMessagesPerHour"] = "100000",
        };
        foreach (var (key, value) in settings)
            all[key] = value;
        var reloadable = new ReloadableSettings(all);
        ((IConfigurationBuilder)builder.Configuration).Add(reloadable);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        if (logs is not null)
            builder.Logging.AddProvider(logs);

        builder.AddLiveChat();
        if (time is not null)
            builder.Services.AddSingleton(time);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapLiveChat();
        try
        {
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new LiveChatTestServer(app, new Uri(app.Urls.First()), reloadable);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await _app.DisposeAsync();
    }
}
