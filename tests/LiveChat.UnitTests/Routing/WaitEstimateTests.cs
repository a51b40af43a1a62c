using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class WaitEstimateTests
{
    [Fact]
    public void AVisitorFreeSlotsCanTakeNowWaitsNothing()
    {
        Assert.Equal(0, WaitEstimate.Seconds(position: 2, freeSlots: 2, agentsOnline: 2, recentAssignments: 0, TimeSpan.Zero));
    }

    [Fact]
    public void WithoutTwoRecentAssignmentsThereIsNoRateToEstimateBy()
    {
        Assert.Null(WaitEstimate.Seconds(position: 3, freeSlots: 0, agentsOnline: 2, recentAssignments: 1, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void ThePlacesBeyondTheFreeSlotsAreDividedByTheRecentRate()
    {
        // 10 assignments in 5 minutes: one every 30 s; 3 places beyond the one free slot take 90 s.
        Assert.Equal(90, WaitEstimate.Seconds(position: 4, freeSlots: 1, agentsOnline: 2, recentAssignments: 10, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void ABurstOfAssignmentsIsCountedOverAtLeastAMinute()
    {
        // 6 assignments within 2 s do not promise a wait of a second: over a minute they are one every 10 s.
        Assert.Equal(30, WaitEstimate.Seconds(position: 3, freeSlots: 0, agentsOnline: 2, recentAssignments: 6, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void APartSecondRoundsUp()
    {
        Assert.Equal(21, WaitEstimate.Seconds(position: 1, freeSlots: 0, agentsOnline: 2, recentAssignments: 3, TimeSpan.FromSeconds(62)));
    }

    [Fact]
    public void WithNobodyOnlineThereIsNoEstimateWhateverTheRecentRate()
    {
        // Agents assigned a chat every 30 s until they all left: that promises nothing to whoever waits now.
        Assert.Null(WaitEstimate.Seconds(position: 1, freeSlots: 0, agentsOnline: 0, recentAssignments: 10, TimeSpan.FromMinutes(5)));
    }
}
