using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class PlaceReportsTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static IEnumerable<(QueueEntry, int)> Line(params string[] ids) => ids.Select((id, i) => (new QueueEntry(id, Nine), i + 1));

    private static IEnumerable<(QueueEntry, int)> Line(int from, int count) =>
        Enumerable.Range(from, count).Select((n, i) => (new QueueEntry($"v{n}", Nine), i + 1));

    [Fact]
    public void NearTheHeadVisitorsWhosePlaceOrEstimateChangedAreToldAgain()
    {
        var reports = new PlaceReports();
        Assert.Equal([("a", 1, (int?)30), ("b", 2, 60)], reports.Next(Line("a", "b"), p => p * 30, budget: 10).ToTell);

        // One more at the back: nobody ahead of them moved.
        Assert.Equal([("c", 3, (int?)90)], reports.Next(Line("a", "b", "c"), p => p * 30, 10).ToTell);
        // The head was taken: everyone moved up.
        Assert.Equal([("b", 1, (int?)30), ("c", 2, 60)], reports.Next(Line("b", "c"), p => p * 30, 10).ToTell);
        // Only the estimates changed.
        Assert.Equal([("b", 1, (int?)null), ("c", 2, null)], reports.Next(Line("b", "c"), _ => null, 10).ToTell);
        Assert.Empty(reports.Next(Line("b", "c"), _ => null, 10).ToTell);
    }

    [Fact]
    public void APlaceToldInAnAnswerIsNotToldAgainAndOneWhoLeftIsToldAfreshOnReturn()
    {
        var reports = new PlaceReports();
        reports.Told("a", 1, 0);
        Assert.Empty(reports.Next(Line("a"), _ => 0, 10).ToTell);

        reports.Forget("a");
        Assert.Equal([("a", 1, (int?)0)], reports.Next(Line("a"), _ => 0, 10).ToTell);
    }

    [Fact]
    public void FurtherBackAPlaceIsToldAgainOnceItMovedByATenthAndAnEstimateOnceItReadsDifferently()
    {
        var reports = new PlaceReports();
        reports.Told("v100", 100, 600);

        Assert.Empty(reports.Next([(new QueueEntry("v100", Nine), 91)], _ => 600, 10).ToTell);
        Assert.Empty(reports.Next([(new QueueEntry("v100", Nine), 95)], _ => 610, 10).ToTell);
        Assert.Equal([("v100", 90, (int?)600)], reports.Next([(new QueueEntry("v100", Nine), 90)], _ => 600, 10).ToTell);
        Assert.Equal([("v100", 89, (int?)330)], reports.Next([(new QueueEntry("v100", Nine), 89)], _ => 330, 10).ToTell);
    }

    [Fact]
    public void OnceTheLineStandsStillASettlingRoundTellsEveryoneTheirExactPlace()
    {
        var reports = new PlaceReports();
        reports.Told("v100", 100, null);
        var line = new[] { (new QueueEntry("v100", Nine), 95) };

        var moving = reports.Next(line, _ => null, 10);
        Assert.Empty(moving.ToTell);
        Assert.True(moving.Inexact);

        var settling = reports.Next(line, _ => null, 10, exact: true);
        Assert.Equal([("v100", 95, (int?)null)], settling.ToTell);
        Assert.False(reports.Next(line, _ => null, 10).Inexact);
    }

    [Fact]
    public void EstimatesReadTheWayTheWidgetShowsThem()
    {
        Assert.Equal(PlaceReports.Shown(65), PlaceReports.Shown(89));
        Assert.NotEqual(PlaceReports.Shown(89), PlaceReports.Shown(91));
        Assert.Equal(PlaceReports.Shown(11 * 60), PlaceReports.Shown(14 * 60));
        Assert.NotEqual(PlaceReports.Shown(0), PlaceReports.Shown(30));
        Assert.NotEqual(PlaceReports.Shown(null), PlaceReports.Shown(0));
    }

    [Fact]
    public void ALongLineMovingFastCostsABoundedNumberOfUpdatesAndNobodyIsForgotten()
    {
        // 10,000 waiting, 50 taken a second in rounds of a quarter second, 1,000 updates a second beyond the first places.
        const int budget = 250;
        var reports = new PlaceReports();
        var told = new Dictionary<string, int>();
        foreach (var (entry, position) in Line(0, 10_000))
        {
            reports.Told(entry.ConversationId, position, null);
            told[entry.ConversationId] = position;
        }
        var head = 0;
        for (var round = 0; round < 400; round++)
        {
            head += round % 2 == 0 ? 12 : 13;
            var next = reports.Next(Line(head, 10_000 - head), _ => null, budget);
            Assert.True(next.ToTell.Count <= PlaceReports.ExactPlaces + budget, $"round {round} told {next.ToTell.Count}");
            foreach (var (id, position, _) in next.ToTell)
                told[id] = position;
        }

        // 100 s later, 5,000 have been taken; every one still waiting was told a place at most a third above their own.
        var stale = Line(head, 10_000 - head)
            .Where(p => p.Item2 > PlaceReports.ExactPlaces && told[p.Item1.ConversationId] > p.Item2 * 4 / 3)
            .Select(p => (p.Item2, told[p.Item1.ConversationId]))
            .ToList();
        Assert.Empty(stale);
    }
}
