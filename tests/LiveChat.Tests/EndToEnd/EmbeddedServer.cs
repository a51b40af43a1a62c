
namespace LiveChat.Tests.EndToEnd;

/// <summary>One node on the embedded default (memory storage), configured the way an operator does: hashed passwords, a signing key, Production.</summary>
public sealed class EmbeddedServer : NodeFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["LiveChat:DefaultQueue"] = "support";
        settings["LiveChat:Queues:0"] = "sales";
        TestUsers.Add(settings, 0, "ada", max: 3, queues: "support");
        TestUsers.Add(settings, 1, "ben", max: 3, queues: "sales");
        TestUsers.Add(settings, 2, "sue", role: "supervisor", max: 3, queues: "sales");
    }
}

[CollectionDefinition(Name)]
public sealed class EmbeddedServerCollection : ICollectionFixture<EmbeddedServer>
{
    public const string Name = "embedded server";
}
