using LiveChat.Server.Options;
using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class QueueFiguresTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly SlaOptions Sla = new() { WaitSeconds = 60, FirstResponseSeconds = 30 };
    private static readonly AgentView[] NoAgents = [];

    private readonly QueueFigures _figures = new(TimeSpan.FromMinutes(15));

    private QueueStats Stats(DateTimeOffset now, WaitingLine? line = null, IReadOnlyCollection<AgentView>? agents = null, QueueRatings ratings = default) =>
        _figures.Stats("support", line ?? new WaitingLine(), agents ?? NoAgents, ratings, Sla, now);

    [Fact]
    public void TheAverageWaitIsOfTheAssignmentsOfTheLast15Minutes()
    {
        _figures.Assigned(new QueueEntry("a", Nine), Nine.AddSeconds(10));
        _figures.Assigned(new QueueEntry("b", Nine), Nine.AddSeconds(30));
        Assert.Equal(20, Stats(Nine.AddMinutes(1)).AverageWaitSeconds);
        Assert.Equal((2, TimeSpan.FromSeconds(50)), _figures.RecentAssignments(Nine.AddMinutes(1)));

        // Fifteen minutes after the first, only the second counts; after both, there is no average.
        Assert.Equal(30, Stats(Nine.AddSeconds(10 + 15 * 60 + 1)).AverageWaitSeconds);
        Assert.Null(Stats(Nine.AddMinutes(20)).AverageWaitSeconds);
    }

    [Fact]
    public void AnAssignedChatIsOwedAFirstAnswerUntilTheAgentAnswersAndPastTheServiceLevelItIsABreach()
    {
        _figures.Assigned(new QueueEntry("slow", Nine), Nine);
        _figures.Assigned(new QueueEntry("quick", Nine), Nine);
        Assert.True(_figures.Responded("quick", firstResponseSeconds: 12, Nine.AddSeconds(12)));

        var stats = Stats(Nine.AddSeconds(45));
        Assert.Equal((1, 1, 12), (stats.AwaitingFirstResponse, stats.FirstResponsePastSla, stats.AverageFirstResponseSeconds));
        Assert.True(_figures.AnyAwaitingFirstResponse);
        // A later answer in the same chat is not its first: nothing changes.
        Assert.False(_figures.Responded("quick", firstResponseSeconds: null, Nine.AddSeconds(50)));
    }

    [Fact]
    public void AChatThatWaitsAgainClosesOrMovesOnIsNoLongerOwedAnAnswer()
    {
        _figures.Assigned(new QueueEntry("a", Nine), Nine);

        Assert.True(_figures.NoLongerOwed("a"));
        Assert.False(_figures.NoLongerOwed("a"));
        Assert.Equal(0, Stats(Nine.AddMinutes(1)).AwaitingFirstResponse);
    }

    [Fact]
    public void AChatWhoseConversationNeverReportedBackStopsCountingAfter12Hours()
    {
        _figures.Assigned(new QueueEntry("lost", Nine), Nine);

        Assert.Equal(1, Stats(Nine.AddHours(11)).AwaitingFirstResponse);
        Assert.Equal(0, Stats(Nine.AddHours(13)).AwaitingFirstResponse);
    }

    [Fact]
    public void TheFiguresCountTheLineTheAgentsAndTheRatings()
    {
        var line = WaitingLineTests.LineOf(new QueueEntry("long", Nine), new QueueEntry("short", Nine.AddSeconds(50)));
        AgentView[] agents =
        [
            new("a", "A", AgentStatus.Online, 1, 3), new("b", "B", AgentStatus.Online, 4, 2),
            new("c", "C", AgentStatus.Away, 0, 3), new("d", "D", AgentStatus.Offline, 0, 3),
        ];

        var stats = Stats(Nine.AddSeconds(90), line, agents, new QueueRatings(3, 13));

        Assert.Equal(new QueueStats("support", 2, 90, AgentsOnline: 2, FreeCapacity: 2, AgentsAway: 1, WaitingPastSla: 1, CsatAverage: 4.33, Ratings: 3), stats);
    }

    [Fact]
    public void ARatingCountsOnceAndAChangedRatingReplacesItsScore()
    {
        var ratings = new QueueRatings().With(5, previousScore: null).With(3, previousScore: null).With(1, previousScore: 5);

        Assert.Equal((2, 4L, 2.0), (ratings.Count, ratings.Sum, ratings.Average!.Value));
        Assert.Null(new QueueRatings().Average);
    }
}
