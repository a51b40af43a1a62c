using LiveChat.Server.Conversations;

namespace LiveChat.UnitTests.Conversations;

public sealed class RecentAcksTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ARetriedSendIsAnsweredWithTheFirstSendsAckAndOnlyTheLatestAreKept()
    {
        var acks = new RecentAcks(2);
        for (var seq = 1; seq <= 3; seq++)
            acks.Add("ann", $"m{seq}", new MessageAck("c", seq, Nine, Duplicate: true));

        Assert.False(acks.TryGet("ann", "m1", out _));
        Assert.True(acks.TryGet("ann", "m3", out var ack));
        Assert.Equal(3, ack.Seq);
        // The same client id from another sender is another send.
        Assert.False(acks.TryGet("bob", "m3", out _));
    }

    [Fact]
    public void TheFirstAckOfASendStands()
    {
        var acks = new RecentAcks(4);
        acks.Add("ann", "m1", new MessageAck("c", 1, Nine, Duplicate: true));
        acks.Add("ann", "m1", new MessageAck("c", 9, Nine, Duplicate: true));

        Assert.True(acks.TryGet("ann", "m1", out var ack));
        Assert.Equal(1, ack.Seq);
    }
}
