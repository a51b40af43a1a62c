using LiveChat.Server.Reliability;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveChat.UnitTests.Reliability;

public sealed class OutboxTests
{
    private sealed record Message(string Id, string Receiver) : IOutboxMessage;

    /// <summary>The grain's state (its list of messages) and its receipts, which strike a message as the grain does.</summary>
    private sealed class Owner : IOutboxOwner
    {
        public List<Message> Stored { get; } = [];
        public List<string> Receipts { get; } = [];

        public Task Delivered(string messageId)
        {
            lock (Stored)
            {
                Receipts.Add(messageId);
                Stored.RemoveAll(m => m.Id == messageId);
            }
            return Task.CompletedTask;
        }

        public List<Message> Snapshot()
        {
            lock (Stored)
                return [.. Stored];
        }
    }

    private readonly Owner _owner = new();
    private readonly SteppedTime _time = new();
    private readonly List<(string Id, TimeSpan At)> _sent = [];

    private Outbox<Message> Create(Func<Message, Task> deliver) =>
        new(_owner, "test", _owner.Snapshot, m => { lock (_sent) _sent.Add((m.Id, _time.GetUtcNow() - new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero))); return deliver(m); }, _time, NullLogger.Instance);

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
            await Task.Delay(10);
        Assert.True(condition(), "timed out");
    }

    [Fact]
    public async Task EachReceiverHearsItsMessagesOneAtATimeInOrderAndEveryOneIsStruckByItsReceipt()
    {
        var gates = new Dictionary<string, TaskCompletionSource>();
        foreach (var id in new[] { "a1", "a2", "b1" })
            gates[id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _owner.Stored.AddRange([new("a1", "ann"), new("b1", "bob"), new("a2", "ann")]);
        var outbox = Create(m => gates[m.Id].Task);

        outbox.Send();
        await Until(() => _sent.Count == 2);
        // Ann's second waits for her first; Bob's goes beside them.
        Assert.Equal(["a1", "b1"], _sent.Select(s => s.Id).Order());

        gates["a1"].SetResult();
        await Until(() => _sent.Count == 3);
        Assert.Equal("a2", _sent[^1].Id);
        gates["a2"].SetResult();
        gates["b1"].SetResult();
        await Until(() => _owner.Receipts.Count == 3);

        Assert.Equal(["a1", "a2"], _owner.Receipts.Where(r => r.StartsWith('a')));
        Assert.Empty(_owner.Stored);
    }

    [Fact]
    public async Task AMessageIsSentOnlyOnceStoredThatIsWhenSendIsCalledAfterItsWrite()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _owner.Stored.Add(new("m1", "ann"));
        var outbox = Create(m => m.Id == "m1" ? released.Task : Task.CompletedTask);
        outbox.Send();
        await Until(() => _sent.Count == 1);

        // A turn adds a message and has not written it yet when the first one arrives.
        lock (_owner.Stored)
            _owner.Stored.Add(new("m2", "ann"));
        released.SetResult();
        await Until(() => _owner.Receipts.Count == 1);
        await Task.Delay(50);
        Assert.Equal(["m1"], _sent.Select(s => s.Id));

        // Its write done, the turn sends.
        outbox.Send();
        await Until(() => _owner.Receipts.Count == 2);
        Assert.Equal(["m1", "m2"], _sent.Select(s => s.Id));
    }

    [Fact]
    public async Task AMessageThatDoesNotArriveIsSentAgainAfterHalfASecondDoublingToFiveSeconds()
    {
        var failures = 6;
        _owner.Stored.Add(new("m1", "queue"));
        var outbox = Create(_ => Interlocked.Decrement(ref failures) >= 0 ? throw new TimeoutException("the queue's node is dead") : Task.CompletedTask);

        outbox.Send();
        var receipt = Until(() => _owner.Receipts.Count == 1);
        for (var i = 0; i < 20 && await _time.NextWait(receipt) is { } wait; i++)
            _time.Advance(wait);
        await receipt;

        Assert.Equal([0, 500, 1500, 3500, 7500, 12500, 17500], _sent.Select(s => (int)s.At.TotalMilliseconds));
        Assert.Equal(["m1"], _owner.Receipts);
    }

    [Fact]
    public async Task AMessageStruckByItsReceiptIsNotSentAgain()
    {
        _owner.Stored.Add(new("m1", "ann"));
        var outbox = Create(_ => Task.CompletedTask);

        outbox.Send();
        await Until(() => _owner.Receipts.Count == 1);
        outbox.Send();
        await Task.Delay(50);

        Assert.Single(_sent);
    }

    [Fact]
    public async Task AMessageTheReceiverRefusesIsGivenUpAfterThreeTriesAndTheNextOneGoesOn()
    {
        _owner.Stored.AddRange([new("refused", "queue"), new("next", "queue")]);
        var outbox = Create(m => m.Id == "refused" ? throw new ChatRuleException("unknown queue: gone") : Task.CompletedTask);

        outbox.Send();
        var receipts = Until(() => _owner.Receipts.Count == 2);
        for (var i = 0; i < 20 && await _time.NextWait(receipts) is { } wait; i++)
            _time.Advance(wait);
        await receipts;

        Assert.Equal(["refused", "refused", "refused", "next"], _sent.Select(s => s.Id));
        Assert.Equal(["refused", "next"], _owner.Receipts);
        Assert.Empty(_owner.Stored);
    }
}
