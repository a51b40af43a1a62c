using Microsoft.Extensions.DependencyInjection;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// One <see cref="LiveChatTestServer"/> shared by a test class or collection: started before the first test with the
/// queues and agents of its <see cref="Floor"/> and the fixture's own settings (<see cref="Configure"/>), stopped after
/// the last. Each end-to-end fixture derives from it and adds only what is its own.
/// </summary>
public abstract class NodeFixture : IAsyncLifetime
{
    /// <summary>The numbered queues and agents tests take; a fixture adds to it in its constructor.</summary>
    public Floor Floor { get; } = new();

    public LiveChatTestServer Server { get; private set; } = null!;

    /// <summary>The node's clock; null for the system's.</summary>
    protected virtual TimeProvider? Clock => null;

    /// <summary>Services that replace the node's own (a faulty store); none by default.</summary>
    protected virtual void ReplaceServices(IServiceCollection services)
    {
    }

    /// <summary>The fixture's own settings and named users, written before the floor's.</summary>
    protected abstract void Configure(IDictionary<string, string?> settings);

    public virtual async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>();
        Configure(settings);
        Floor.Configure(settings);
        Server = await LiveChatTestServer.StartAsync(settings, time: Clock, services: ReplaceServices);
    }

    public virtual async Task DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
    }
}
