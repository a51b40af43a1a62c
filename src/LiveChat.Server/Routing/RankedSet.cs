namespace LiveChat.Server.Routing;

/// <summary>
/// A sorted set that also knows each item's rank: adding, removing and finding an item's place take O(log n) on
/// average, whatever the size. A treap (a binary search tree kept balanced by random priorities) whose nodes count
/// the items below them. .NET's <see cref="SortedSet{T}"/> has no rank (a view's count walks the view), and the
/// collections on the package feed that have one are not served here.
/// </summary>
public sealed class RankedSet<T>(IComparer<T> comparer)
{
    private sealed class Node(T item, int priority)
    {
        public readonly T Item = item;
        public readonly int Priority = priority;
        public Node? Left;
        public Node? Right;
        public int Size = 1;
    }

    private readonly Random _priorities = new(17);
    private Node? _root;

    public int Count => Size(_root);

    /// <summary>The smallest item; throws when the set is empty.</summary>
    public T Min
    {
        get
        {
            var node = _root ?? throw new InvalidOperationException("the set is empty");
            while (node.Left is not null)
                node = node.Left;
            return node.Item;
        }
    }

    /// <summary>Adds the item; false when an equal one is there already.</summary>
    public bool Add(T item)
    {
        if (Contains(item))
            return false;
        var (less, greater) = Split(_root, item);
        _root = Merge(Merge(less, new Node(item, _priorities.Next())), greater);
        return true;
    }

    /// <summary>Removes the item; false when it was not there.</summary>
    public bool Remove(T item)
    {
        if (!Contains(item))
            return false;
        _root = Remove(_root, item);
        return true;
    }

    public bool Contains(T item)
    {
        var node = _root;
        while (node is not null)
        {
            var c = comparer.Compare(item, node.Item);
            if (c == 0)
                return true;
            node = c < 0 ? node.Left : node.Right;
        }
        return false;
    }

    /// <summary>How many items are smaller than <paramref name="item"/>: its index, when it is in the set.</summary>
    public int CountBelow(T item)
    {
        var below = 0;
        var node = _root;
        while (node is not null)
        {
            if (comparer.Compare(item, node.Item) <= 0)
                node = node.Left;
            else
            {
                below += Size(node.Left) + 1;
                node = node.Right;
            }
        }
        return below;
    }

    /// <summary>The items in order, smallest first. The set must not change while this is read.</summary>
    public IEnumerable<T> InOrder()
    {
        var path = new Stack<Node>();
        var node = _root;
        while (node is not null || path.Count > 0)
        {
            while (node is not null)
            {
                path.Push(node);
                node = node.Left;
            }
            node = path.Pop();
            yield return node.Item;
            node = node.Right;
        }
    }

    public void Clear() => _root = null;

    private static int Size(Node? node) => node?.Size ?? 0;

    private static Node Resize(Node node)
    {
        node.Size = 1 + Size(node.Left) + Size(node.Right);
        return node;
    }

    /// <summary>Splits a tree into the items below <paramref name="item"/> and the rest.</summary>
    private (Node? Less, Node? AtOrAbove) Split(Node? node, T item)
    {
        if (node is null)
            return (null, null);
        if (comparer.Compare(node.Item, item) < 0)
        {
            var (less, rest) = Split(node.Right, item);
            node.Right = less;
            return (Resize(node), rest);
        }
        else
        {
            var (less, rest) = Split(node.Left, item);
            node.Left = rest;
            return (less, Resize(node));
        }
    }

    /// <summary>Joins two trees, every item of <paramref name="left"/> below every item of <paramref name="right"/>.</summary>
    private static Node? Merge(Node? left, Node? right)
    {
        if (left is null)
            return right;
        if (right is null)
            return left;
        if (left.Priority > right.Priority)
        {
            left.Right = Merge(left.Right, right);
            return Resize(left);
        }
        right.Left = Merge(left, right.Left);
        return Resize(right);
    }

    private Node? Remove(Node? node, T item)
    {
        if (node is null)
            return null;
        var c = comparer.Compare(item, node.Item);
        if (c == 0)
            return Merge(node.Left, node.Right);
        if (c < 0)
            node.Left = Remove(node.Left, item);
        else
            node.Right = Remove(node.Right, item);
        return Resize(node);
    }
}
