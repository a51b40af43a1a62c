namespace LiveChat.Tests.Infrastructure;

/// <summary>One place at a queue: an agent or a supervisor serving it, with their limit of conversations.</summary>
public readonly record struct Seat(int Max, string Role = Roles.Agent)
{
    public static implicit operator Seat(int max) => new(max);

    public static Seat Supervisor(int max = 3) => new(max, Roles.Supervisor);
}

/// <summary>
/// Numbered queues and the agents serving them, declared in a node's (or the grain cluster's) configuration at
/// start-up, since LiveChat reads its queues and users only then, and handed out to tests: each test takes a queue of
/// its own and that queue's agents, so tests sharing a node never see each other's chats, and a new test edits no
/// shared list. Thread-safe: test classes of one collection fixture run one after another, but fixtures of different
/// collections run in parallel, each with its own floor.
/// </summary>
/// <example>
/// <code>
/// var queue = floor.Queue(2, 1);            // a queue with an agent of limit 2 and one of limit 1
/// var agent = floor.Agent(queue, max: 2);   // "q7a2"
/// var unserved = floor.Queue();             // a queue nobody serves
/// </code>
/// </example>
public sealed class Floor
{
    private readonly List<Desk> _desks = [];
    private int _configured = -1;

    /// <summary>Adds <paramref name="queues"/> queues, each served by one user per seat of <paramref name="lineup"/> (none: nobody serves them).</summary>
    public Floor Add(int queues, params Seat[] lineup)
    {
        lock (_desks)
        {
            if (_configured >= 0)
                throw new InvalidOperationException("the floor is already in the node's configuration; add queues before the node starts");
            for (var i = 0; i < queues; i++)
            {
                var queue = $"q{_desks.Count + 1}";
                _desks.Add(new Desk(queue, lineup.Select((seat, a) => new Chair($"{queue}a{a + 1}", seat)).ToList()));
            }
        }
        return this;
    }

    /// <summary>
    /// A queue no other test has taken, whose staff includes <paramref name="seats"/>: the smallest such queue, so a
    /// test asking for little leaves the larger ones to tests that need them. With no seats, a queue nobody serves.
    /// </summary>
    public string Queue(params Seat[] seats)
    {
        lock (_desks)
        {
            var desk = _desks.Where(d => !d.Taken && d.Holds(seats))
                .OrderBy(d => seats.Length == 0 && d.Chairs.Count == 0 ? -1 : d.Chairs.Count).FirstOrDefault()
                ?? throw new InvalidOperationException(
                    $"the floor has no queue left with seats [{string.Join(", ", seats)}]: its fixture declares too few (Floor.Add in the fixture)");
            desk.Taken = true;
            return desk.Queue;
        }
    }

    /// <summary>The next agent of <paramref name="queue"/> with this limit not yet handed out.</summary>
    public string Agent(string queue, int max = 3) => Take(queue, new Seat(max));

    /// <summary>The next supervisor of <paramref name="queue"/> with this limit not yet handed out.</summary>
    public string Supervisor(string queue, int max = 3) => Take(queue, Seat.Supervisor(max));

    /// <summary><paramref name="count"/> agents of <paramref name="queue"/> with this limit.</summary>
    public IReadOnlyList<string> Agents(string queue, int count, int max = 3) => Enumerable.Range(0, count).Select(_ => Agent(queue, max)).ToList();

    /// <summary>Every queue of the floor, in the order they are written into the configuration.</summary>
    public IReadOnlyList<string> Queues
    {
        get
        {
            lock (_desks)
                return _desks.Select(d => d.Queue).ToList();
        }
    }

    /// <summary>Every user of the floor (agents and supervisors), in the order they are written into the configuration.</summary>
    public IReadOnlyList<string> Users
    {
        get
        {
            lock (_desks)
                return _desks.SelectMany(d => d.Chairs).Select(c => c.Username).ToList();
        }
    }

    /// <summary>What a user sees as the agent's name (the configuration's display name).</summary>
    public static string DisplayName(string username) => TestUsers.DisplayName(username);

    /// <summary>Writes the queues and their users into <paramref name="settings"/>, after any queues and users already there.</summary>
    public void Configure(IDictionary<string, string?> settings)
    {
        lock (_desks)
        {
            var queue = NextIndex(settings, "LiveChat:Queues:");
            var user = NextIndex(settings, "LiveChat:Users:");
            foreach (var desk in _desks)
            {
                settings[$"LiveChat:Queues:{queue++}"] = desk.Queue;
                foreach (var chair in desk.Chairs)
                    TestUsers.Add(settings, user++, chair.Username, role: chair.Seat.Role, max: chair.Seat.Max, queues: desk.Queue);
            }
            _configured = _desks.Count;
        }
    }

    private string Take(string queue, Seat seat)
    {
        lock (_desks)
        {
            var desk = _desks.SingleOrDefault(d => d.Queue == queue) ?? throw new ArgumentException($"{queue} is not a queue of this floor", nameof(queue));
            var chair = desk.Chairs.FirstOrDefault(c => !c.Taken && c.Seat == seat)
                ?? throw new InvalidOperationException($"{queue} has no {seat.Role} of limit {seat.Max} left: ask Queue(...) for the seats the test needs");
            chair.Taken = true;
            return chair.Username;
        }
    }

    private static int NextIndex(IDictionary<string, string?> settings, string prefix) =>
        settings.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => int.Parse(k[prefix.Length..].Split(':')[0])).DefaultIfEmpty(-1).Max() + 1;

    private sealed class Desk(string queue, List<Chair> chairs)
    {
        public string Queue { get; } = queue;
        public List<Chair> Chairs { get; } = chairs;
        public bool Taken { get; set; }

        public bool Holds(Seat[] seats) =>
            seats.GroupBy(s => s).All(need => Chairs.Count(c => c.Seat == need.Key) >= need.Count());
    }

    private sealed class Chair(string username, Seat seat)
    {
        public string Username { get; } = username;
        public Seat Seat { get; } = seat;
        public bool Taken { get; set; }
    }
}
