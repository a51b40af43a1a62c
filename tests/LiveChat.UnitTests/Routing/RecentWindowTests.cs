using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class RecentWindowTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ValuesOlderThanTheSpanNoLongerCount()
    {
        var window = new RecentWindow(TimeSpan.FromMinutes(15));
        window.Add(Nine, 10);
        window.Add(Nine.AddMinutes(10), 21);

        Assert.Equal<(int, int?, DateTimeOffset?)>((2, 16, Nine), (window.Count(Nine.AddMinutes(12)), window.Average(Nine.AddMinutes(12)), window.Oldest(Nine.AddMinutes(12))));
        Assert.Equal<(int, int?)>((1, 21), (window.Count(Nine.AddMinutes(16)), window.Average(Nine.AddMinutes(16))));
        Assert.Equal<(int, int?, DateTimeOffset?)>((0, null, null), (window.Count(Nine.AddHours(1)), window.Average(Nine.AddHours(1)), window.Oldest(Nine.AddHours(1))));
    }
}
