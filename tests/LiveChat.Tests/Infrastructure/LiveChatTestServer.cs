using LiveChat.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// A real LiveChat node, built exactly as Program.cs builds it, on Kestrel at a free loopback port, with its own
/// silo ports and cluster id. Configuration comes only from the settings given (no environment leaks in).
/// </summary>
public sealed class LiveChatTestServer : ILiveChatNode, IAsyncDisposable
{
    private readonly WebApplication _app;

    private LiveChatTestServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LiveChatTestServer> StartAsync(IDictionary<string, string?> settings, string environment = "Production")
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
        };
        foreach (var (key, value) in settings)
            all[key] = value;
        builder.Configuration.AddInMemoryCollection(all);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);

        builder.AddLiveChat();
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
        return new LiveChatTestServer(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await _app.DisposeAsync();
    }
}
