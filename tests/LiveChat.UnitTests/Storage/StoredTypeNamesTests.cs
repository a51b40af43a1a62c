using LiveChat.Server.Storage;

namespace LiveChat.UnitTests.Storage;

public sealed class StoredTypeNamesTests
{
    [Theory]
    [InlineData("LiveChat.Server.Grains.ConversationState", "LiveChat.Server.Conversations.ConversationState")]
    [InlineData("LiveChat.Server.Grains.PendingAnnouncement", "LiveChat.Server.Conversations.PendingAssignmentLine")]
    [InlineData("System.Collections.Generic.List`1[[LiveChat.Server.Grains.PendingNotice, LiveChat.Server]]",
        "System.Collections.Generic.List`1[[LiveChat.Server.Routing.PendingNotice, LiveChat.Server]]")]
    [InlineData("System.Collections.Generic.List`1[[LiveChat.Contracts.QueueEntry, LiveChat.Contracts]]",
        "System.Collections.Generic.List`1[[LiveChat.Contracts.QueueEntry, LiveChat.Contracts]]")]
    [InlineData("LiveChat.Server.Grains.SomethingNeverStored", "LiveChat.Server.Grains.SomethingNeverStored")]
    public void AStateClassStoredUnderItsOldNameIsReadAsItsNewHome(string stored, string read) =>
        Assert.Equal(read, StoredTypeNames.Rename(stored));
}
