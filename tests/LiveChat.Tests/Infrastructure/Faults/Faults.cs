using LiveChat.Server.Storage;

namespace LiveChat.Tests.Infrastructure;

/// <summary>Where a planned fault strikes a write.</summary>
public enum FaultAt
{
    /// <summary>The write never reached the store: nothing was applied, and the caller hears an error.</summary>
    BeforeApplied,
    /// <summary>The store applied the write, then its answer was lost: the caller hears an error all the same.</summary>
    AfterApplied,
}

/// <summary>
/// Write failures a test plans and the faulty stores (<see cref="FaultyMessageLog"/>, <see cref="FaultyGrainStorage"/>, <see cref="FaultyQueueStore"/>)
/// carry out, each once, on the first write that matches (or, for reads, on every read until lifted). The exception is the one a store gives when Redis does not
/// answer in time, so the server treats it as it treats the real thing.
/// </summary>
public sealed class Faults
{
    private readonly Lock _lock = new();
    private readonly List<Planned> _planned = [];
    private readonly HashSet<(string Stream, long Seq)> _lost = [];

    /// <summary>The next append to the conversation's log (messages, or whispers and notes) of this client message id fails.</summary>
    public void LogAppend(string conversationId, string clientMessageId, FaultAt at) =>
        Plan(Store.Log, what => what == $"{conversationId}/{clientMessageId}" || what == $"{conversationId}:internal/{clientMessageId}", at, _ => true);

    /// <summary>The next write of the grain's state (its id, as <c>conversation/c_…</c> or <c>agent/ann</c>) fails.</summary>
    public void StateWrite(string grainId, FaultAt at) => Plan(Store.State, what => what == grainId, at, _ => true);

    /// <summary>The next write of the grain's state that <paramref name="when"/> picks out by what it writes fails.</summary>
    public void StateWrite<TState>(string grainId, Func<TState, bool> when, FaultAt at) =>
        Plan(Store.State, what => what == grainId, at, state => state is TState s && when(s));

    /// <summary>The next write of an offline message of <paramref name="queue"/> fails.</summary>
    public void OfflineMessageWrite(string queue, FaultAt at) =>
        Plan(Store.Offline, what => what == queue, at, _ => true);

    /// <summary>The next change to the queue's store (its line, notices, hand-backs) that <paramref name="when"/> picks out fails.</summary>
    public void QueueWrite(string queue, Func<QueueChange, bool> when, FaultAt at) =>
        Plan(Store.Queue, what => what == queue, at, change => change is QueueChange c && when(c));

    /// <summary>
    /// Every read of the grain's state fails, so every activation of it fails (Redis does not answer), until the
    /// result is disposed.
    /// </summary>
    public IDisposable StateReadsFail(string grainId)
    {
        var fault = new Planned(Store.Read, what => what == grainId, _ => true, FaultAt.BeforeApplied, Once: false);
        lock (_lock)
            _planned.Add(fault);
        return new Lifted(() =>
        {
            lock (_lock)
                _planned.Remove(fault);
        });
    }

    /// <summary>
    /// The message of this seq in the conversation's log is gone, as the last second of writes is when a Redis with
    /// <c>appendfsync everysec</c> loses its machine: reads no longer return it, and nothing fills its place.
    /// </summary>
    public void MessageLost(string conversationId, long seq)
    {
        lock (_lock)
            _lost.Add((conversationId, seq));
    }

    internal bool IsLost(string stream, long seq)
    {
        lock (_lock)
            return _lost.Contains((stream, seq));
    }

    private void Plan(Store store, Func<string, bool> match, FaultAt at, Func<object?, bool> written)
    {
        lock (_lock)
            _planned.Add(new Planned(store, match, written, at, Once: true));
    }

    internal FaultAt? Take(Store store, string what, object? written = null)
    {
        Planned? fault;
        lock (_lock)
        {
            fault = _planned.Find(p => p.Store == store && p.Match(what) && p.Written(written));
            if (fault is { Once: true })
                _planned.Remove(fault);
        }
        return fault?.At;
    }

    internal static TimeoutException ReadError(string what) => new($"fault injected: the read of {what} got no answer");

    internal static TimeoutException Error(FaultAt at, string what) => new(at == FaultAt.BeforeApplied
        ? $"fault injected: the write of {what} did not reach the store"
        : $"fault injected: the store applied the write of {what}, and its answer was lost");

    internal enum Store { Log, State, Read, Queue, Offline }

    private sealed record Planned(Store Store, Func<string, bool> Match, Func<object?, bool> Written, FaultAt At, bool Once);

    private sealed class Lifted(Action lift) : IDisposable
    {
        public void Dispose() => lift();
    }
}
