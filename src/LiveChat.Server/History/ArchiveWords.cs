namespace LiveChat.Server.History;

/// <summary>
/// The words of a text as the archive's search sees them: runs of letters and digits, lowercased, in any script. The
/// in-memory store matches with these; PostgreSQL's 'simple' text search splits the same way for ordinary text.
/// </summary>
public static class ArchiveWords
{
    public static IReadOnlyList<string> Of(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
                start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return words;
    }

    /// <summary>Whether <paramref name="text"/> holds every one of <paramref name="wanted"/>, as whole words.</summary>
    public static bool HasAll(string text, IReadOnlyList<string> wanted)
    {
        if (wanted.Count == 0)
            return true;
        var words = Of(text).ToHashSet(StringComparer.Ordinal);
        return wanted.All(words.Contains);
    }
}
