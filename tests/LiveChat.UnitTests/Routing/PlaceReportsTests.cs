using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class PlaceReportsTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static WaitingLine Line(params string[] ids) => new([.. ids.Select(id => new QueueEntry(id, Nine))]);

    [Fact]
    public void OnlyVisitorsWhosePlaceOrEstimateChangedAreToldAgain()
    {
        var reports = new PlaceReports();
        Assert.Equal([("a", 1, (int?)30), ("b", 2, 60)], reports.Changes(Line("a", "b"), p => p * 30));

        // One more at the back: nobody ahead of them moved.
        Assert.Equal([("c", 3, (int?)90)], reports.Changes(Line("a", "b", "c"), p => p * 30));
        // The head was taken: everyone moved up.
        Assert.Equal([("b", 1, (int?)30), ("c", 2, 60)], reports.Changes(Line("b", "c"), p => p * 30));
        // Only the estimates changed.
        Assert.Equal([("b", 1, (int?)null), ("c", 2, null)], reports.Changes(Line("b", "c"), _ => null));
        Assert.Empty(reports.Changes(Line("b", "c"), _ => null));
    }

    [Fact]
    public void APlaceToldInAnAnswerIsNotToldAgainAndOneWhoLeftIsToldAfreshOnReturn()
    {
        var reports = new PlaceReports();
        reports.Told("a", 1, 0);
        Assert.Empty(reports.Changes(Line("a"), _ => 0));

        reports.Forget("a");
        Assert.Equal([("a", 1, (int?)0)], reports.Changes(Line("a"), _ => 0));
    }
}
