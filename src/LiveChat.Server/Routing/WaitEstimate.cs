namespace LiveChat.Server.Routing;

/// <summary>
/// How long a visitor at a place in the line will likely wait, in seconds: none when the free slots could take them
/// now; else the places beyond the free slots divided by the rate at which the queue assigned chats recently (counted
/// over at least a minute, so a burst of a few assignments does not promise a wait of seconds). Unknown (null) with
/// fewer than two recent assignments: no rate to go by; and with no agent online, whatever the recent rate: nobody is
/// there to take the chat, and the rate of those who left promises nothing.
/// </summary>
public static class WaitEstimate
{
    private const double ShortestSpanSeconds = 60;

    /// <param name="position">1 for the head of the line.</param>
    /// <param name="freeSlots">Chats the serving agents can take now.</param>
    /// <param name="agentsOnline">Serving agents who are Online, full or not.</param>
    /// <param name="recentAssignments">Chats assigned within the recent window.</param>
    /// <param name="recentSpan">Time since the oldest of those assignments.</param>
    public static int? Seconds(int position, int freeSlots, int agentsOnline, int recentAssignments, TimeSpan recentSpan)
    {
        if (agentsOnline == 0)
            return null;
        if (position <= freeSlots)
            return 0;
        if (recentAssignments < 2)
            return null;
        var perSecond = recentAssignments / Math.Max(recentSpan.TotalSeconds, ShortestSpanSeconds);
        return (int)Math.Ceiling((position - freeSlots) / perSecond);
    }
}
