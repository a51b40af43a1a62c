namespace LiveChat.Tests.Infrastructure;

/// <summary>A <see cref="PostgresServer"/> for a test class: started before its first test, removed after its last. These tests never skip.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL has not started");

    async Task IAsyncLifetime.InitializeAsync() => _server = await PostgresServer.StartNewAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
