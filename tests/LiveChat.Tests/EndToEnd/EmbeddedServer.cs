
namespace LiveChat.Tests.EndToEnd;

/// <summary>One node on the embedded default (memory storage), configured the way an operator does: hashed passwords, a signing key, Production.</summary>
public sealed class EmbeddedServer : IAsyncLifetime
{
    public LiveChatTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["LiveChat:DefaultQueue"] = "support", ["LiveChat:Queues:0"] = "sales" };
        TestUsers.Add(settings, 0, "ada", max: 3, queues: "support");
        TestUsers.Add(settings, 1, "ben", max: 3, queues: "sales");
        TestUsers.Add(settings, 2, "sue", role: "supervisor", max: 3, queues: "sales");
        Server = await LiveChatTestServer.StartAsync(settings);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class EmbeddedServerCollection : ICollectionFixture<EmbeddedServer>
{
    public const string Name = "embedded server";
}
