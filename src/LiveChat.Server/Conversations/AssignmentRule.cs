namespace LiveChat.Server.Conversations;

/// <summary>What a conversation does with the queue's notice that it was given to an agent.</summary>
public enum AssignmentOutcome
{
    /// <summary>The notice was taken already (its answer was lost): only finish showing it, if that was cut short.</summary>
    AlreadyTaken,
    /// <summary>An old notice, sent again by a later activation of the queue, whose agent has since let the chat go.</summary>
    Stale,
    /// <summary>Back with the agent who holds it: nothing changes for the visitor, but an answer is owed afresh.</summary>
    BackWithSameAgent,
    /// <summary>Closed, or taken by someone else, while the queue was handing it out: the agent's slot goes back.</summary>
    NotWanted,
    /// <summary>The conversation goes to the agent.</summary>
    Take,
}

/// <summary>Where the conversation stands when a notice of assignment arrives.</summary>
public readonly record struct ConversationStanding(bool Exists, ConversationStatus Status, string? AgentId, string? LastNoticeId);

/// <summary>
/// The decision a conversation takes on an assignment from its queue. Messages between grains may arrive late, twice,
/// or out of order (a chat its agent gave back can be handed out again before the notice of its return arrives), so
/// the decision rests on the conversation's own standing and on who still holds the chat, asked of the agents.
/// </summary>
public static class AssignmentRule
{
    /// <param name="stillHeldBy">Whether an agent still holds this conversation; asked only when the decision needs it.</param>
    public static async Task<AssignmentOutcome> Decide(
        ConversationStanding now, string noticeId, string agentId, string? requeuedFromAgentId, Func<string, Task<bool>> stillHeldBy)
    {
        if (!now.Exists)
            return AssignmentOutcome.NotWanted;
        if (now.LastNoticeId == noticeId)
            return AssignmentOutcome.AlreadyTaken;
        if (now.Status != ConversationStatus.Closed && !await stillHeldBy(agentId))
            return AssignmentOutcome.Stale;
        // The queue hands out only waiting chats, so an agent who holds it again has let go of it in between.
        if (now.Status == ConversationStatus.Active && now.AgentId == agentId)
            return AssignmentOutcome.BackWithSameAgent;
        var wanted = now.Status == ConversationStatus.Queued
            || (now.Status == ConversationStatus.Active && now.AgentId is { } holder && (holder == requeuedFromAgentId || !await stillHeldBy(holder)));
        return wanted ? AssignmentOutcome.Take : AssignmentOutcome.NotWanted;
    }
}
