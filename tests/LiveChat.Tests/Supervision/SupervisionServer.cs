
namespace LiveChat.Tests.Supervision;

/// <summary>
/// One node for the supervision tests, with service levels of one second so breaches show quickly. Each test has its
/// own queue and agents, so tests sharing the node never see each other's chats; the supervisor "sam" serves a queue
/// nobody writes to.
/// </summary>
public sealed class SupervisionServer : NodeFixture
{
    public const string Supervisor = "sam";

    protected override void Configure(IDictionary<string, string?> settings)
    {
        string[] queues = ["watch", "positions", "dash", "busy", "many", "capacity", "sla", "feedback", "canned", "xfer", "takeover"];
        settings["LiveChat:DefaultQueue"] = "desk";
        settings["LiveChat:Sla:WaitSeconds"] = "1";
        settings["LiveChat:Sla:FirstResponseSeconds"] = "1";
        settings["LiveChat:DashboardIntervalMilliseconds"] = "250";
        for (var i = 0; i < queues.Length; i++)
            settings[$"LiveChat:Queues:{i}"] = queues[i];
        var user = 0;
        TestUsers.Add(settings, user++, Supervisor, role: "supervisor", max: 3, queues: "desk");
        TestUsers.Add(settings, user++, "wes", max: 3, queues: "watch");
        TestUsers.Add(settings, user++, "pat", max: 1, queues: "positions");
        TestUsers.Add(settings, user++, "dee", max: 20, queues: "busy");
        TestUsers.Add(settings, user++, "mo", max: 100, queues: "many");
        TestUsers.Add(settings, user++, "max", max: 100, queues: "many");
        TestUsers.Add(settings, user++, "cap", max: 1, queues: "capacity");
        TestUsers.Add(settings, user++, "sly", max: 2, queues: "sla");
        TestUsers.Add(settings, user++, "fay", max: 5, queues: "feedback");
        TestUsers.Add(settings, user++, "fox", max: 5, queues: "feedback");
        TestUsers.Add(settings, user++, "cal", max: 2, queues: "canned");
        TestUsers.Add(settings, user++, "xia", max: 2, queues: "xfer");
        TestUsers.Add(settings, user++, "xan", max: 2, queues: "xfer");
        TestUsers.Add(settings, user++, "tom", max: 2, queues: "takeover");
    }
}

[CollectionDefinition(Name)]
public sealed class SupervisionServerCollection : ICollectionFixture<SupervisionServer>
{
    public const string Name = "supervision server";
}
