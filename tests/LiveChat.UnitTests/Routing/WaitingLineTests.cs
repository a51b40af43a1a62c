using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class WaitingLineTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static QueueEntry Entry(string id, int minute = 0) => new(id, Nine.AddMinutes(minute));

    [Fact]
    public void ArrivalsWaitInTheOrderTheyCameAndATransferGoesToTheHead()
    {
        var line = new WaitingLine([]);
        line.Join(Entry("a"), atHead: false);
        line.Join(Entry("b"), atHead: false);
        line.Join(Entry("moved"), atHead: true);

        Assert.Equal(["moved", "a", "b"], line.FirstIds(10));
        Assert.Equal((1, 3, 0), (line.PositionOf("moved"), line.PositionOf("b"), line.PositionOf("nobody")));
    }

    [Fact]
    public void AConversationWaitsOnlyOnceWhereverItJoinsAgain()
    {
        var line = new WaitingLine([]);
        line.Join(Entry("a"), atHead: false);
        line.Join(Entry("b"), atHead: false);

        Assert.False(line.Join(Entry("b", minute: 5), atHead: true));
        Assert.Equal(["a", "b"], line.FirstIds(10));
    }

    [Fact]
    public void ChatsGivenBackGoToTheHeadInTheirOrderAndThoseStillWaitingKeepTheirPlace()
    {
        var line = new WaitingLine([Entry("waiting"), Entry("x")]);

        var back = line.ReturnToHead([Entry("r1"), Entry("x"), Entry("r2"), Entry("r1")]);

        Assert.Equal(["r1", "r2"], back.Select(e => e.ConversationId));
        Assert.Equal(["r1", "r2", "waiting", "x"], line.FirstIds(10));
    }

    [Fact]
    public void AnyoneCanLeaveFromAnywhere()
    {
        var line = new WaitingLine([Entry("a"), Entry("b"), Entry("c")]);

        Assert.True(line.Remove("a"));
        Assert.True(line.Remove("c"));
        Assert.False(line.Remove("c"));
        Assert.Equal("b", line.Head?.ConversationId);
        Assert.Equal(1, line.Count);
    }

    [Fact]
    public void TheLongestWaitAndTheWaitsPastALimitCountFromEachArrival()
    {
        var line = new WaitingLine([Entry("late", minute: 3), Entry("early", minute: 0), Entry("now", minute: 5)]);
        var now = Nine.AddMinutes(5);

        Assert.Equal(300, line.LongestWaitSeconds(now));
        Assert.Equal(2, line.WaitingLongerThan(60, now));
        Assert.Equal(0, new WaitingLine([]).LongestWaitSeconds(now));
    }
}
