namespace LiveChat.Server.Routing;

/// <summary>
/// Who gets a queue's next chat: of the online agents with room, the one with the fewest chats; among equals, the one
/// whose last chat from this queue came longest ago (never comes first), so work spreads evenly; then by id, so the
/// choice never depends on the order the agents were seen in.
/// </summary>
public static class AgentChoice
{
    public static AgentView? Pick(IEnumerable<AgentView> agents, IReadOnlyDictionary<string, DateTimeOffset> lastAssignedAt) => agents
        .Where(a => a.HasFreeCapacity)
        .OrderBy(a => a.ActiveConversations)
        .ThenBy(a => lastAssignedAt.GetValueOrDefault(a.AgentId))
        .ThenBy(a => a.AgentId, StringComparer.Ordinal)
        .FirstOrDefault();

    /// <summary>Chats the agents can take now: the room of every online agent below their limit.</summary>
    public static int FreeSlots(IEnumerable<AgentView> agents) =>
        agents.Sum(a => a.HasFreeCapacity ? a.MaxConversations - a.ActiveConversations : 0);
}
