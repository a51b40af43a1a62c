
namespace LiveChat.Tests.Hardening;

/// <summary>
/// One node for the hostile-input tests, apart from the other tests' nodes, so a fuzzer's junk reaches no one else.
/// "vault" holds the conversations the fuzz must not change: only ben serves it, and no fuzzer acts as ben.
/// </summary>
public sealed class HardeningServer : NodeFixture
{
    public const string VaultQueue = "vault";

    /// <summary>Served by cal alone, who takes no part in the fuzz: the chat that shows the node still works afterwards.</summary>
    public const string AfterQueue = "after";

    /// <summary>Served by no one and named by no fuzzer: its conversations wait, untouched, until closed.</summary>
    public const string PrivateQueue = "private";

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["LiveChat:DefaultQueue"] = "support";
        settings["LiveChat:Queues:0"] = "sales";
        settings["LiveChat:Queues:1"] = VaultQueue;
        settings["LiveChat:Queues:2"] = AfterQueue;
        settings["LiveChat:Queues:3"] = PrivateQueue;
        TestUsers.Add(settings, 0, "ada", max: 3, queues: ["support", "sales"]);
        TestUsers.Add(settings, 1, "ben", max: 2, queues: VaultQueue);
        TestUsers.Add(settings, 2, "sue", role: "supervisor", max: 3, queues: "sales");
        TestUsers.Add(settings, 3, "cal", max: 3, queues: AfterQueue);
    }
}

[CollectionDefinition(Name)]
public sealed class HardeningServerCollection : ICollectionFixture<HardeningServer>
{
    public const string Name = "hardening server";
}
