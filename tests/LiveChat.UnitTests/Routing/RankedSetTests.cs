using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class RankedSetTests
{
    [Fact]
    public void ThousandsOfRandomChangesKeepTheOrderAndEveryRankOfASortedList()
    {
        var random = new Random(7);
        var set = new RankedSet<int>(Comparer<int>.Default);
        var expected = new List<int>();
        for (var i = 0; i < 5_000; i++)
        {
            var item = random.Next(2_000);
            if (random.Next(3) == 0)
            {
                Assert.Equal(expected.Remove(item), set.Remove(item));
            }
            else
            {
                var added = !expected.Contains(item);
                if (added)
                    expected.Insert(~expected.BinarySearch(item), item);
                Assert.Equal(added, set.Add(item));
            }
            if (i % 500 == 0)
            {
                Assert.Equal(expected, set.InOrder());
                Assert.All(expected, (e, index) => Assert.Equal(index, set.CountBelow(e)));
            }
        }
        Assert.Equal(expected.Count, set.Count);
        Assert.Equal(expected[0], set.Min);
        Assert.Equal(expected.Count(e => e < 1_000), set.CountBelow(1_000));
    }

    [Fact]
    public void AnEmptySetHasNoSmallestItem()
    {
        var set = new RankedSet<string>(StringComparer.Ordinal);
        Assert.Equal(0, set.Count);
        Assert.Throws<InvalidOperationException>(() => set.Min);
        Assert.Empty(set.InOrder());
    }
}
