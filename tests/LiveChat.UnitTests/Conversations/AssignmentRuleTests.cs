using LiveChat.Server.Conversations;

namespace LiveChat.UnitTests.Conversations;

/// <summary>The conversation's decision on the queue's notice that it goes to <c>ann</c>, in every standing it can be in.</summary>
public sealed class AssignmentRuleTests
{
    private static Func<string, Task<bool>> Holders(params string[] agents) => agent => Task.FromResult(agents.Contains(agent));

    private static Task<AssignmentOutcome> Decide(ConversationStanding now, Func<string, Task<bool>> stillHeldBy, string? requeuedFrom = null) =>
        AssignmentRule.Decide(now, "n2", "ann", requeuedFrom, stillHeldBy);

    [Fact]
    public async Task AWaitingConversationGoesToTheAgentWhoseSlotIsReserved()
    {
        Assert.Equal(AssignmentOutcome.Take, await Decide(new(true, ConversationStatus.Queued, null, "n1"), Holders("ann")));
    }

    [Fact]
    public async Task ANoticeTakenAlreadyIsRecognisedByItsIdWithoutAskingAnyone()
    {
        var asked = false;
        var outcome = await Decide(new(true, ConversationStatus.Active, "ann", "n2"), _ => { asked = true; return Task.FromResult(true); });

        Assert.Equal(AssignmentOutcome.AlreadyTaken, outcome);
        Assert.False(asked);
    }

    [Fact]
    public async Task AnOldNoticeWhoseAgentLetTheChatGoChangesNothing()
    {
        Assert.Equal(AssignmentOutcome.Stale, await Decide(new(true, ConversationStatus.Queued, null, "n1"), Holders()));
    }

    [Fact]
    public async Task HandedBackAndOutAgainToTheSameAgentTheChatStaysButIsOwedAFreshAnswer()
    {
        Assert.Equal(AssignmentOutcome.BackWithSameAgent, await Decide(new(true, ConversationStatus.Active, "ann", "n1"), Holders("ann")));
    }

    [Fact]
    public async Task AChatClosedOrUnknownWhileBeingHandedOutGivesTheSlotBack()
    {
        Assert.Equal(AssignmentOutcome.NotWanted, await Decide(new(true, ConversationStatus.Closed, "bob", "n1"), Holders("ann", "bob")));
        Assert.Equal(AssignmentOutcome.NotWanted, await Decide(new(false, ConversationStatus.Queued, null, null), Holders("ann")));
    }

    [Fact]
    public async Task AChatStillWithAnotherAgentWhoHoldsItGivesTheSlotBack()
    {
        Assert.Equal(AssignmentOutcome.NotWanted, await Decide(new(true, ConversationStatus.Active, "bob", "n1"), Holders("ann", "bob")));
    }

    [Fact]
    public async Task AChatWhoseAgentLeftGoesToTheNewAgentWhetherOrNotItsReturnArrivedFirst()
    {
        // Its previous agent no longer holds it: the return notice has not arrived yet.
        Assert.Equal(AssignmentOutcome.Take, await Decide(new(true, ConversationStatus.Active, "bob", "n1"), Holders("ann")));
        // Requeued from that agent: taken even if the agent's view still lists it.
        Assert.Equal(AssignmentOutcome.Take, await Decide(new(true, ConversationStatus.Active, "bob", "n1"), Holders("ann", "bob"), requeuedFrom: "bob"));
    }
}
