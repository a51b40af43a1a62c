using LiveChat.Contracts;

namespace LiveChat.LoadTests.Scenarios;

/// <summary>At the end: each conversation as its visitor sees it, and each agent's own list and figures.</summary>
/// <param name="AgentIds">Each agent's id, in the order of the lists and figures (which are null when the agent could not be asked).</param>
public sealed record Holdings(IReadOnlyList<ConversationView?> Views, IReadOnlyList<string> AgentIds, IReadOnlyList<IReadOnlyList<ConversationView>?> AgentLists,
    IReadOnlyList<AgentView?> Agents, IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Conversations held by no one, in words: active with an agent whose own list lacks it, or waiting while an agent
    /// has room.
    /// </summary>
    public IReadOnlyList<string> Unheld(IReadOnlyList<string> conversationIds)
    {
        var unheld = new List<string>();
        var room = Agents.Where(a => a is { HasFreeCapacity: true }).Select(a => a!.AgentId).ToList();
        for (var i = 0; i < Views.Count; i++)
        {
            switch (Views[i])
            {
                case { Status: ConversationStatus.Active, AgentId: { } agent } view:
                    var holder = AgentIds.ToList().FindIndex(a => string.Equals(a, agent, StringComparison.OrdinalIgnoreCase));
                    if (holder < 0)
                        unheld.Add($"conversation {i} ({conversationIds[i]}) is Active with {agent}, who is none of the run's agents");
                    else if (AgentLists[holder] is not { } list)
                        unheld.Add($"conversation {i} ({conversationIds[i]}) is Active with {agent}, whose console could not get its list");
                    else if (list.All(c => c.ConversationId != view.ConversationId))
                        unheld.Add($"conversation {i} ({conversationIds[i]}) is Active with {agent}, whose console does not list it");
                    break;
                case { Status: ConversationStatus.Active } view:
                    unheld.Add($"conversation {i} ({view.ConversationId}) is Active with no agent");
                    break;
                case { Status: ConversationStatus.Queued } when room.Count > 0:
                    unheld.Add($"conversation {i} ({conversationIds[i]}) waits in the queue while {string.Join(", ", room)} have room");
                    break;
            }
        }
        return unheld;
    }

    /// <summary>Conversations an agent's console lists though the conversation says another holds it (or nobody).</summary>
    public IReadOnlyList<string> ListedByOthers()
    {
        var wrong = new List<string>();
        foreach (var (list, agent) in AgentLists.Zip(AgentIds))
            foreach (var listed in list ?? [])
                if (Views.FirstOrDefault(v => v?.ConversationId == listed.ConversationId) is { } view
                    && (view.Status != ConversationStatus.Active || !string.Equals(view.AgentId, agent, StringComparison.OrdinalIgnoreCase)))
                    wrong.Add($"{agent}'s console lists {listed.ConversationId}, which is {view.Status} with {view.AgentId ?? "nobody"}");
        return wrong;
    }
}

/// <summary>Each conversation's whole history, as its visitor and as its holding agent read it at the end (null: could not be read).</summary>
public sealed record Histories(IReadOnlyList<IReadOnlyList<ChatMessage>?> ByVisitor, IReadOnlyList<IReadOnlyList<ChatMessage>?> ByAgent, IReadOnlyList<string> Refusals);
