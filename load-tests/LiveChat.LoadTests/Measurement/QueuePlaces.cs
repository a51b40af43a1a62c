using LiveChat.Contracts;

namespace LiveChat.LoadTests.Measurement;

/// <summary>
/// Places in a queue, checked: <paramref name="Count"/> places that should be 1..Count, each once. <paramref name="Duplicates"/>
/// are places held by more than one visitor (counted beyond the first), <paramref name="Missing"/> the places of 1..Count nobody holds.
/// </summary>
public sealed record PlaceCheck(int Count, int Duplicates, int Missing)
{
    public bool OneEach => Duplicates == 0 && Missing == 0;

    public static PlaceCheck Of(IReadOnlyCollection<int> places)
    {
        var distinct = places.ToHashSet();
        return new(places.Count, places.Count - distinct.Count, Enumerable.Range(1, places.Count).Count(p => !distinct.Contains(p)));
    }

    /// <summary>In words, for a verdict: "120 waiting visitors' places are 1..120, each once".</summary>
    public string Describe(string whose) => OneEach
        ? $"{Count} {whose} places are 1..{Count}, each once"
        : $"{Count} {whose} places are NOT 1..{Count}: {Duplicates} held twice or more, {Missing} held by nobody";
}

/// <summary>
/// What each visitor was told of their conversation: the answer to <c>StartConversation</c>, then every
/// <c>ConversationUpdated</c>. From it, each visitor's last known place while waiting, whether they heard they were
/// assigned, and whether a place was ever later than one told before: a visitor pushed back in the line. The answer
/// is the first place a conversation has, so no push may name a later one, whichever of the two arrived first.
/// </summary>
public sealed class QueuePlaces(int visitors)
{
    private readonly Told[] _told = Enumerable.Range(0, visitors).Select(_ => new Told()).ToArray();

    public void Answered(int visitor, ConversationView view)
    {
        var told = _told[visitor];
        lock (told)
        {
            told.ConversationId = view.ConversationId;
            told.Answer = view.Status == ConversationStatus.Queued ? view.QueuePosition : null;
            told.HeardAssigned |= view.Status != ConversationStatus.Queued;
            told.PushedBack |= told.Answer < told.HighestPushed;
        }
    }

    /// <summary>A <c>ConversationUpdated</c>, in the order the visitor's connection received them.</summary>
    public void Pushed(int visitor, ConversationView view)
    {
        var told = _told[visitor];
        lock (told)
        {
            told.ConversationId = view.ConversationId;
            if (view.Status != ConversationStatus.Queued)
            {
                told.HeardAssigned = true;
                return;
            }
            if (view.QueuePosition is not { } place)
                return;
            told.PositionPushes++;
            told.PushedBack |= place > told.LastPushed || place > told.Answer;
            told.LastPushed = place;
            told.HighestPushed = Math.Max(told.HighestPushed ?? 0, place);
        }
    }

    /// <summary>The conversation each visitor started (null for one who never did), by visitor number.</summary>
    public string? ConversationOf(int visitor) => _told[visitor].ConversationId;

    /// <summary>Whether the visitor ever heard that their conversation left the queue (assigned, or closed with it).</summary>
    public bool HeardAssigned(int visitor) => _told[visitor].HeardAssigned;

    /// <summary>The place the visitor last heard while waiting: the last push's, or the answer's when no push came; null once assigned.</summary>
    public int? LastKnownPlace(int visitor) => _told[visitor] is { HeardAssigned: false } told ? told.LastPushed ?? told.Answer : null;

    /// <summary>The place the answer to <c>StartConversation</c> gave; null when it was assigned at once.</summary>
    public int? AnsweredPlace(int visitor) => _told[visitor].Answer;

    public int PushedBack => _told.Count(t => t.PushedBack);

    /// <summary>Visitors who received at least one push of a new place.</summary>
    public int VisitorsPushed => _told.Count(t => t.PositionPushes > 0);

    private sealed class Told
    {
        public string? ConversationId;
        public int? Answer;
        public int? LastPushed;
        public int? HighestPushed;
        public int PositionPushes;
        public bool HeardAssigned;
        public bool PushedBack;
    }
}
