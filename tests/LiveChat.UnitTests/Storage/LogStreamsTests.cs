using LiveChat.Server.Storage;

namespace LiveChat.UnitTests.Storage;

/// <summary>A stream's name says whose it is: the history reads a marked stream by its name alone.</summary>
public sealed class LogStreamsTests
{
    [Fact]
    public void AStreamsNameGivesBackItsConversationAndWhetherItIsTheInternalOne()
    {
        Assert.Equal(("c-42", false), LogStreams.Of(LogStreams.Public("c-42")));
        Assert.Equal(("c-42", true), LogStreams.Of(LogStreams.Internal("c-42")));
    }
}
