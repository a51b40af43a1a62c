namespace LiveChat.Tests.Infrastructure;

/// <summary>A <see cref="RedisServer"/> for a test class: started before its first test, stopped after its last. These tests never skip.</summary>
public sealed class RedisFixture() : RedisServer(fsyncAlways: true), IAsyncLifetime
{
    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
