using LiveChat.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace LiveChat.Tests.EndToEnd;

/// <summary>An agent's presence is what their consoles' connections say, even when opening one failed half-way.</summary>
public sealed class AgentPresenceTests
{
    [Fact]
    public async Task AnAgentWhoseConnectionFailedToOpenStillGoesAwayWhenTheirConsoleCloses()
    {
        var faults = new Faults();
        var settings = new Dictionary<string, string?>
        {
            ["LiveChat:DefaultQueue"] = "support",
            ["LiveChat:AwayGraceSeconds"] = "1",
            ["LiveChat:PresenceRenewSeconds"] = "1",
            // The node retries a failing call this long before the console hears of it.
            ["LiveChat:RetrySeconds"] = "1",
        };
        TestUsers.Add(settings, 0, "ada", max: 3, queues: "support");
        // The agent's record cannot be read for a while (Redis does not answer): a console connection fails to open.
        var unreadable = faults.StateReadsFail("agent/ada");
        await using var node = await LiveChatTestServer.StartAsync(settings, services: services =>
            services.AddGrainStorage(StorageNames.Grains, (provider, name) => new FaultyGrainStorage(MemoryGrainStorageFactory.Create(provider, name), faults)));
        var agent = node.Services.GetRequiredService<IGrainFactory>().GetGrain<IAgentGrain>("ada");
        var failed = node.Hub("/hubs/agent", (await node.SignIn("ada")).AccessToken);
        var closed = new TaskCompletionSource<Exception?>();
        failed.Closed += error => { closed.TrySetResult(error); return Task.CompletedTask; };
        await failed.StartAsync().WaitAsync(Clients.Timeout);
        Assert.NotNull(await closed.Task.WaitAsync(Clients.Timeout));
        unreadable.Dispose();

        // The console tries again, goes Online, and is closed later.
        var console = await node.ConnectOnlineAgent("ada");
        await console.DisposeAsync();

        await Eventually.True(async () => (await agent.GetView()).Status == AgentStatus.Away,
            "the agent to go Away once the grace period after the console closed is over");
    }
}
