using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveChat.LoadTests.Targets;

/// <summary>
/// The baseline: a bare SignalR hub that only relays a message to its group. No grains, no storage, no rules, so
/// the difference to LiveChat under the same load is what LiveChat's guarantees cost.
/// </summary>
public sealed class RelayHub : Hub
{
    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public async Task<long> Send(string group, string senderRole, string text)
    {
        await Clients.Group(group).SendAsync("Relayed", group, senderRole, text);
        return 0;
    }

    /// <summary>One message to every connection: the baseline of an announcement.</summary>
    public Task Broadcast(string text) => Clients.All.SendAsync("Broadcast", text);
}

public static class RelayServer
{
    /// <summary>Runs the relay on 127.0.0.1:<paramref name="port"/> until the process is stopped.</summary>
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 64 * 1024);
        var app = builder.Build();
        app.MapHub<RelayHub>("/relay");
        app.MapGet("/healthz", () => "Healthy");
        await app.RunAsync();
    }
}
