namespace LiveChat.Server.Routing;

/// <summary>A waiting conversation's place in the order of its line: lower goes first; ties by id.</summary>
public readonly record struct LinePlace(long Order, string ConversationId);

/// <summary>
/// The conversations waiting in a queue, in the order they will be taken: arrivals at the back, transfers at the head,
/// and chats an agent gave back in the order their visitors first waited (ahead of everyone who came after them). A
/// conversation waits at most once. Joining, leaving, the head and a conversation's place each cost O(log n), and each
/// change is noted in <see cref="Changes"/> so the store writes that change alone, never the whole line.
/// An order is a time in microseconds since 1970 (see <see cref="OrderOf"/>), kept apart by at least one between arrivals.
/// </summary>
public sealed class WaitingLine
{
    private static readonly IComparer<LinePlace> ByOrder = Comparer<LinePlace>.Create((a, b) =>
        a.Order != b.Order ? a.Order.CompareTo(b.Order) : string.CompareOrdinal(a.ConversationId, b.ConversationId));

    private readonly RankedSet<LinePlace> _order = new(ByOrder);
    private readonly Dictionary<string, (QueueEntry Entry, long Order)> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private long _lastOrder = long.MinValue;

    /// <summary>What changed since the store last took the changes.</summary>
    public LineChanges Changes { get; private set; } = new();

    public int Count => _waiting.Count;

    /// <summary>The next to be taken, or null when nobody waits.</summary>
    public QueueEntry? Head => _waiting.Count == 0 ? null : _waiting[_order.Min.ConversationId].Entry;

    public bool Contains(string conversationId) => _waiting.ContainsKey(conversationId);

    /// <summary>How many wait that joined from this client address.</summary>
    public int WaitingFrom(string address) => _byAddress.GetValueOrDefault(address);

    /// <summary>The entry of a waiting conversation; throws when it is not waiting.</summary>
    public QueueEntry Entry(string conversationId) => _waiting[conversationId].Entry;

    /// <summary>1 for the head of the line, 0 when the conversation is not waiting.</summary>
    public int PositionOf(string conversationId) =>
        _waiting.TryGetValue(conversationId, out var waiting) ? _order.CountBelow(new LinePlace(waiting.Order, conversationId)) + 1 : 0;

    /// <summary>Puts a conversation at the back, or at the head; false when it waits already (where it stands).</summary>
    public bool Join(QueueEntry entry, bool atHead)
    {
        if (Contains(entry.ConversationId))
            return false;
        var order = atHead && Count > 0 ? _order.Min.Order - 1
            : Math.Max(_lastOrder == long.MinValue ? long.MinValue : _lastOrder + 1, OrderOf(entry.EnqueuedAt));
        Place(entry, order);
        return true;
    }

    /// <summary>
    /// Puts back chats an agent gave back, each where its visitor's first wait places it; returns those not already
    /// waiting, which were put back.
    /// </summary>
    public IReadOnlyList<QueueEntry> Return(IEnumerable<QueueEntry> returned)
    {
        var back = returned.Where(e => !Contains(e.ConversationId)).DistinctBy(e => e.ConversationId).ToList();
        foreach (var entry in back)
            Place(entry, OrderOf(entry.FirstWaited));
        return back;
    }

    /// <summary>Takes a conversation out wherever it stands; false when it was not waiting.</summary>
    public bool Remove(string conversationId)
    {
        if (!_waiting.Remove(conversationId, out var waiting))
            return false;
        _order.Remove(new LinePlace(waiting.Order, conversationId));
        CountFrom(waiting.Entry.Address, -1);
        Changes.Left(conversationId);
        return true;
    }

    /// <summary>Fills the line from the store, changing nothing there.</summary>
    public void Restore(IEnumerable<(QueueEntry Entry, long Order)> stored)
    {
        foreach (var (entry, order) in stored)
        {
            _waiting[entry.ConversationId] = (entry, order);
            _order.Add(new LinePlace(order, entry.ConversationId));
            _lastOrder = Math.Max(_lastOrder, order);
            CountFrom(entry.Address, +1);
        }
    }

    /// <summary>The changes so far, for the store to write; the line notes new ones from here.</summary>
    public LineChanges TakeChanges()
    {
        var changes = Changes;
        Changes = new LineChanges();
        return changes;
    }

    /// <summary>The ids of the first <paramref name="limit"/>, next in line first.</summary>
    public IReadOnlyList<string> FirstIds(int limit) => _order.InOrder().Take(limit).Select(p => p.ConversationId).ToList();

    /// <summary>Each waiting conversation with its position, head first.</summary>
    public IEnumerable<(QueueEntry Entry, int Position)> WithPositions() =>
        _order.InOrder().Select((p, i) => (_waiting[p.ConversationId].Entry, i + 1));

    /// <summary>How long the longest waiter has waited, in whole seconds; 0 when nobody waits.</summary>
    public int LongestWaitSeconds(DateTimeOffset now) =>
        _waiting.Count == 0 ? 0 : (int)(now - _waiting.Values.Min(w => w.Entry.EnqueuedAt)).TotalSeconds;

    /// <summary>How many have waited longer than <paramref name="seconds"/>.</summary>
    public int WaitingLongerThan(double seconds, DateTimeOffset now) => _waiting.Values.Count(w => (now - w.Entry.EnqueuedAt).TotalSeconds > seconds);

    /// <summary>The order of a time: microseconds since 1970, exact in a Redis sorted set's score for the next 280 years.</summary>
    public static long OrderOf(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private void Place(QueueEntry entry, long order)
    {
        _waiting[entry.ConversationId] = (entry, order);
        _order.Add(new LinePlace(order, entry.ConversationId));
        _lastOrder = Math.Max(_lastOrder, order);
        CountFrom(entry.Address, +1);
        Changes.Joined(entry, order);
    }

    private void CountFrom(string? address, int change)
    {
        if (address is null)
            return;
        var count = _byAddress.GetValueOrDefault(address) + change;
        if (count > 0)
            _byAddress[address] = count;
        else
            _byAddress.Remove(address);
    }
}

/// <summary>What changed in a line since it was last stored: who joined (with their order) and who left.</summary>
public sealed class LineChanges
{
    private readonly Dictionary<string, (QueueEntry Entry, long Order)> _joined = new(StringComparer.Ordinal);
    private readonly HashSet<string> _left = new(StringComparer.Ordinal);

    public IReadOnlyCollection<(QueueEntry Entry, long Order)> JoinedEntries => _joined.Values;
    public IReadOnlyCollection<string> LeftIds => _left;
    public bool IsEmpty => _joined.Count == 0 && _left.Count == 0;

    internal void Joined(QueueEntry entry, long order)
    {
        _left.Remove(entry.ConversationId);
        _joined[entry.ConversationId] = (entry, order);
    }

    internal void Left(string conversationId)
    {
        // Removed from the store even if it joined only in this turn: the store may hold it from before.
        _joined.Remove(conversationId);
        _left.Add(conversationId);
    }
}
