using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class WaitingLineTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static QueueEntry Entry(string id, int minute = 0) => new(id, Nine.AddMinutes(minute));

    /// <summary>A line the entries joined at the back, in this order.</summary>
    internal static WaitingLine LineOf(params QueueEntry[] entries)
    {
        var line = new WaitingLine();
        foreach (var entry in entries)
            line.Join(entry, atHead: false);
        line.TakeChanges();
        return line;
    }

    [Fact]
    public void ArrivalsWaitInTheOrderTheyCameAndATransferGoesToTheHead()
    {
        var line = new WaitingLine();
        line.Join(Entry("a"), atHead: false);
        line.Join(Entry("b"), atHead: false);
        line.Join(Entry("moved"), atHead: true);

        Assert.Equal(["moved", "a", "b"], line.FirstIds(10));
        Assert.Equal((1, 3, 0), (line.PositionOf("moved"), line.PositionOf("b"), line.PositionOf("nobody")));
    }

    [Fact]
    public void AConversationWaitsOnlyOnceWhereverItJoinsAgain()
    {
        var line = new WaitingLine();
        line.Join(Entry("a"), atHead: false);
        line.Join(Entry("b"), atHead: false);

        Assert.False(line.Join(Entry("b", minute: 5), atHead: true));
        Assert.Equal(["a", "b"], line.FirstIds(10));
    }

    [Fact]
    public void ChatsGivenBackGoBackInTheOrderTheirVisitorsFirstWaitedAndThoseStillWaitingKeepTheirPlace()
    {
        var line = LineOf(Entry("since-9:01", minute: 1), Entry("x", minute: 2), Entry("since-9:05", minute: 5));

        // Given back at 9:10, their visitors first waited at 9:00 and 9:03.
        var back = line.Return([Given("r-9:03", 3), Entry("x", minute: 10), Given("r-9:00", 0), Given("r-9:03", 3)]);

        Assert.Equal(["r-9:03", "r-9:00"], back.Select(e => e.ConversationId));
        Assert.Equal(["r-9:00", "since-9:01", "x", "r-9:03", "since-9:05"], line.FirstIds(10));

        static QueueEntry Given(string id, int firstWaitedMinute) => new(id, Nine.AddMinutes(10), Nine.AddMinutes(firstWaitedMinute));
    }

    [Fact]
    public void ArrivalsInTheSameInstantStillWaitInTheOrderTheyCame()
    {
        var line = LineOf(Entry("z"), Entry("b"), Entry("a"));
        line.Join(Entry("earlier", minute: -5), atHead: false);

        Assert.Equal(["z", "b", "a", "earlier"], line.FirstIds(10));
    }

    [Fact]
    public void OnlyWhatChangedIsLeftForTheStoreToWrite()
    {
        var line = LineOf(Entry("a"), Entry("b"));

        line.Join(Entry("c"), atHead: false);
        line.Join(Entry("passing"), atHead: false);
        line.Remove("passing");
        line.Remove("a");
        var changes = line.TakeChanges();

        Assert.Equal(["c"], changes.JoinedEntries.Select(j => j.Entry.ConversationId));
        Assert.Equal(["a", "passing"], changes.LeftIds.Order());
        Assert.True(line.TakeChanges().IsEmpty);
    }

    [Fact]
    public void ALineRestoredFromTheStoreKeepsItsOrderAndNewArrivalsGoBehind()
    {
        var line = new WaitingLine();
        line.Restore([(Entry("c"), 30), (Entry("a"), 10)]);
        line.Join(Entry("d", minute: -60), atHead: false);

        Assert.Equal(["a", "c", "d"], line.FirstIds(10));
        Assert.Equal(2, line.PositionOf("c"));
        Assert.True(line.TakeChanges().JoinedEntries.Single().Order > 30);
    }

    [Fact]
    public void AnyoneCanLeaveFromAnywhere()
    {
        var line = LineOf(Entry("a"), Entry("b"), Entry("c"));

        Assert.True(line.Remove("a"));
        Assert.True(line.Remove("c"));
        Assert.False(line.Remove("c"));
        Assert.Equal("b", line.Head?.ConversationId);
        Assert.Equal(1, line.Count);
    }

    [Fact]
    public void TheLongestWaitAndTheWaitsPastALimitCountFromEachArrival()
    {
        var line = LineOf(Entry("late", minute: 3), Entry("early", minute: 0), Entry("now", minute: 5));
        var now = Nine.AddMinutes(5);

        Assert.Equal(300, line.LongestWaitSeconds(now));
        Assert.Equal(2, line.WaitingLongerThan(60, now));
        Assert.Equal(0, new WaitingLine().LongestWaitSeconds(now));
    }
}
