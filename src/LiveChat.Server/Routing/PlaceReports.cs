namespace LiveChat.Server.Routing;

/// <summary>
/// The place and wait estimate each waiting visitor was last told, so a round of updates tells only those whose place
/// or estimate changed: in a long line, one arrival at the back changes nobody's place.
/// </summary>
public sealed class PlaceReports
{
    private readonly Dictionary<string, (int Position, int? Estimate)> _told = new(StringComparer.Ordinal);

    /// <summary>The conversation was told this place (in an answer, or a notice).</summary>
    public void Told(string conversationId, int position, int? estimate) => _told[conversationId] = (position, estimate);

    /// <summary>The conversation no longer waits: nothing more to tell it.</summary>
    public void Forget(string conversationId) => _told.Remove(conversationId);

    /// <summary>
    /// The places to tell now, marked as told: every waiting conversation whose place or estimate differs from what it
    /// was last told. <paramref name="estimate"/> gives the estimate for a position.
    /// </summary>
    public IReadOnlyList<(string ConversationId, int Position, int? Estimate)> Changes(WaitingLine line, Func<int, int?> estimate)
    {
        var changes = new List<(string, int, int?)>();
        foreach (var (entry, position) in line.WithPositions())
        {
            var place = (position, estimate(position));
            if (_told.TryGetValue(entry.ConversationId, out var told) && told == place)
                continue;
            _told[entry.ConversationId] = place;
            changes.Add((entry.ConversationId, place.Item1, place.Item2));
        }
        return changes;
    }
}
