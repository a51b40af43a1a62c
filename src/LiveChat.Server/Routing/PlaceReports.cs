namespace LiveChat.Server.Routing;

/// <summary>
/// What each waiting visitor was last told of their place and wait, and which of them to tell again, so that a long
/// line moving fast costs a bounded number of updates (docs/protocol.md, 9.4):
/// <list type="bullet">
/// <item>the first <see cref="ExactPlaces"/> places hear every change of place;</item>
/// <item>further back, a visitor hears a new place once it differs from the one they were told by a tenth or more: in
/// a line of 10,000 moving 50 places a second, the visitor at 5,000 hears of it every ten seconds, not every round;</item>
/// <item>anyone hears a new estimate when it would read differently (see <see cref="Shown"/>);</item>
/// <item>a round tells at most a budget of those beyond the first places, those whose news is the largest first; the
/// others are told in a later round (<see cref="Round.MoreToTell"/>);</item>
/// <item>once the line has stood still a moment, a settling round (<c>exact</c>) tells everyone whose place is not
/// exactly the one they were told, within the same budget: after a rush, every visitor knows their own place.</item>
/// </list>
/// </summary>
public sealed class PlaceReports
{
    /// <summary>Places near enough the head that every change of place is told.</summary>
    public const int ExactPlaces = 10;

    private const double NoticeableShare = 0.1;

    private readonly Dictionary<string, (int Position, int? Estimate)> _told = new(StringComparer.Ordinal);

    /// <summary>
    /// The conversations to tell in a round, whether news was left for a later one, and whether anyone's told place
    /// is still not exact (for a settling round to correct).
    /// </summary>
    public sealed record Round(IReadOnlyList<(string ConversationId, int Position, int? Estimate)> ToTell, bool MoreToTell, bool Inexact);

    /// <summary>The conversation was told this place (in an answer, or a notice).</summary>
    public void Told(string conversationId, int position, int? estimate) => _told[conversationId] = (position, estimate);

    /// <summary>The conversation no longer waits: nothing more to tell it.</summary>
    public void Forget(string conversationId) => _told.Remove(conversationId);

    /// <summary>
    /// The places to tell now, marked as told. <paramref name="estimate"/> gives the estimate for a position;
    /// <paramref name="budget"/> caps those told beyond the first places; <paramref name="exact"/> makes any change news.
    /// </summary>
    public Round Next(IEnumerable<(QueueEntry Entry, int Position)> line, Func<int, int?> estimate, int budget, bool exact = false)
    {
        var toTell = new List<(string, int, int?)>();
        var further = new List<(string Id, int Position, int? Estimate, double News)>();
        var inexact = 0;
        foreach (var (entry, position) in line)
        {
            var now = (position, estimate(position));
            if (!_told.TryGetValue(entry.ConversationId, out var told))
            {
                further.Add((entry.ConversationId, position, now.Item2, double.MaxValue));
                continue;
            }
            var estimateNews = Shown(told.Estimate) != Shown(now.Item2);
            if (position <= ExactPlaces)
            {
                if (told.Position != position || estimateNews)
                    toTell.Add((entry.ConversationId, position, now.Item2));
                continue;
            }
            var moved = Math.Abs(position - told.Position) / (double)Math.Max(1, told.Position);
            if (moved >= NoticeableShare || estimateNews || (exact && moved > 0))
                further.Add((entry.ConversationId, position, now.Item2, estimateNews ? Math.Max(moved, 1) : moved));
            else if (moved > 0)
                inexact++;
        }
        toTell.AddRange(further.OrderByDescending(f => f.News).Take(Math.Max(0, budget)).Select(f => (f.Id, f.Position, f.Estimate)));
        foreach (var (id, position, wait) in toTell)
            _told[id] = (position, wait);
        return new Round(toTell, further.Count > budget, inexact > 0 || further.Count > budget);
    }

    /// <summary>
    /// An estimate as a person reads it: unknown, none, under a minute, then whole minutes (as the widget shows them),
    /// and beyond ten minutes, steps of five. Two estimates that read the same are not worth an update.
    /// </summary>
    public static int Shown(int? seconds)
    {
        if (seconds is not { } s)
            return -1;
        if (s < 60)
            return s == 0 ? 0 : 1;
        var minutes = (int)Math.Round(s / 60.0, MidpointRounding.AwayFromZero);
        return 100 + (minutes <= 10 ? minutes : minutes - minutes % 5);
    }
}
