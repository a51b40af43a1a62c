using LiveChat.Server.Routing;

namespace LiveChat.UnitTests.Routing;

public sealed class AgentChoiceTests
{
    private static readonly DateTimeOffset Nine = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, DateTimeOffset> NeverAssigned = [];

    private static AgentView Agent(string id, int active, int max = 3, AgentStatus status = AgentStatus.Online) => new(id, id, status, active, max);

    [Fact]
    public void TheLeastLoadedOnlineAgentWithRoomGetsTheChat()
    {
        var agents = new[] { Agent("busy", 2), Agent("idle", 0), Agent("away", 0, status: AgentStatus.Away), Agent("full", 1, max: 1) };

        Assert.Equal("idle", AgentChoice.Pick(agents, NeverAssigned)?.AgentId);
    }

    [Fact]
    public void NobodyIsPickedWhenNoOnlineAgentHasRoom()
    {
        var agents = new[] { Agent("full", 3), Agent("offline", 0, status: AgentStatus.Offline) };

        Assert.Null(AgentChoice.Pick(agents, NeverAssigned));
    }

    [Fact]
    public void AmongEquallyLoadedAgentsTheOneWhoseLastChatCameLongestAgoIsNext()
    {
        var agents = new[] { Agent("ann", 1), Agent("bob", 1), Agent("cat", 1) };
        var last = new Dictionary<string, DateTimeOffset> { ["ann"] = Nine.AddMinutes(2), ["bob"] = Nine, ["cat"] = Nine.AddMinutes(1) };

        Assert.Equal("bob", AgentChoice.Pick(agents, last)?.AgentId);
        // Never assigned counts as longest ago; and among those, the id decides, so the order seen does not.
        Assert.Equal("dan", AgentChoice.Pick([.. agents, Agent("eve", 1), Agent("dan", 1)], last)?.AgentId);
    }

    [Fact]
    public void FreeSlotsAreTheRoomOfOnlineAgentsBelowTheirLimit()
    {
        var agents = new[] { Agent("a", 1, max: 3), Agent("b", 3, max: 3), Agent("c", 0, max: 2, status: AgentStatus.Away), Agent("lowered", 4, max: 2) };

        Assert.Equal(2, AgentChoice.FreeSlots(agents));
    }
}
