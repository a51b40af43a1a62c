
namespace LiveChat.Tests.Supervision;

/// <summary>
/// One node for the supervision tests, with service levels of one second so breaches show quickly. Each test takes its
/// own queue, agents and supervisor from the <see cref="NodeFixture.Floor"/>, so tests sharing the node never see each
/// other's chats; the supervisors serve a queue nobody writes to.
/// </summary>
public sealed class SupervisionServer : NodeFixture
{
    private readonly string _supervisors;

    public SupervisionServer()
    {
        // Enough for every supervision test, with some to spare: the limits the tests need, and queues nobody serves.
        Floor.Add(queues: 4, 3).Add(queues: 3, 2).Add(queues: 3, 1).Add(queues: 2, 20).Add(queues: 2, 100, 100)
            .Add(queues: 2, 2, 2).Add(queues: 2, 5, 5).Add(queues: 4);
        _supervisors = Floor.Add(queues: 1, [.. Enumerable.Repeat(Seat.Supervisor(), 16)]).Queue(Seat.Supervisor());
    }

    /// <summary>A supervisor no other test has: on the supervisor hub, they see every queue.</summary>
    public string Supervisor() => Floor.Supervisor(_supervisors);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["LiveChat:Sla:WaitSeconds"] = "1";
        settings["LiveChat:Sla:FirstResponseSeconds"] = "1";
        settings["LiveChat:DashboardIntervalMilliseconds"] = "250";
    }
}

[CollectionDefinition(Name)]
public sealed class SupervisionServerCollection : ICollectionFixture<SupervisionServer>
{
    public const string Name = "supervision server";
}
