using LiveChat.Server.History;

namespace LiveChat.UnitTests.History;

/// <summary>The words the archive's search matches on: whole words of letters and digits in any script, any case.</summary>
public sealed class ArchiveWordsTests
{
    [Theory]
    [InlineData("My order #4411 is LATE!", new[] { "my", "order", "4411", "is", "late" })]
    [InlineData("Rückerstattung, bitte.", new[] { "rückerstattung", "bitte" })]
    [InlineData("طلبي متأخر", new[] { "طلبي", "متأخر" })]
    [InlineData("  ?! -- ", new string[0])]
    public void WordsAreRunsOfLettersAndDigitsLowercased(string text, string[] words) =>
        Assert.Equal(words, ArchiveWords.Of(text));

    [Fact]
    public void AMessageMatchesWhenItHoldsEveryWordWholeInAnyOrder()
    {
        Assert.True(ArchiveWords.HasAll("The refund never arrived", ArchiveWords.Of("never REFUND")));
        Assert.False(ArchiveWords.HasAll("The refund never arrived", ArchiveWords.Of("refund came")));
        Assert.False(ArchiveWords.HasAll("refunded", ArchiveWords.Of("refund")));
    }
}
