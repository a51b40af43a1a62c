using LiveChat.Server.Reliability;
using LiveChat.Server.Storage;

namespace LiveChat.Server.Routing;

/// <summary>
/// How the queue writes its store: turns note their changes (to the line, the notices, the hand-backs taken) and seal
/// them as one change when they end (<see cref="StoredBy"/>), and one writer stores the sealed changes in batches, one
/// after another, each batch whatever turns sealed while the last was being written. A turn's change is never split
/// between two batches, even when the writer runs while the turn awaits an agent: a hand-back is stored with its
/// notices or not at all. In a rush the queue thus never waits on Redis between two arrivals: a thousand arrivals a second cost a few
/// hundred writes, not a thousand round trips in a row on a single grain. A turn whose caller must know its change
/// is stored hands out the batch (<see cref="StoredBy"/>), which the caller awaits with <see cref="IQueueGrain.Stored"/>
/// outside the turn, or awaits it itself (<see cref="WriteAndWait"/>).
/// Notices are sent once the batch holding them is stored. When a batch fails, this activation is dropped (see
/// WriteDiscipline) and every batch not yet stored fails with it; the next activation loads what the store has, and
/// the callers retry.
/// </summary>
public sealed partial class QueueGrain
{
    private readonly Guid _epoch = Guid.NewGuid();
    // The batch the turns are noting changes in, and the one being written, if any; batches up to _storedUpTo are stored.
    private long _openBatch = 1;
    private long _storedUpTo;
    private TaskCompletionSource _openDone = NewBatch();
    private (long Batch, Task Done)? _writing;
    private Exception? _failed;
    // Notices noted but not yet stored: not sent until they are.
    private readonly HashSet<string> _unstoredNotices = new(StringComparer.Ordinal);
    // Changes of turns that ended, in order, for the open batch.
    private readonly List<QueueChange> _sealed = [];

    public Task Stored(QueueWrite write)
    {
        if (write.Epoch != _epoch)
            throw new TimeoutException($"queue {Name} was restarted before it stored the change: make it again");
        return WhenStored(write.Batch);
    }

    /// <summary>The turn's changes are sealed into the open batch (the writer starts if idle); returns what its caller can await.</summary>
    private QueueWrite StoredBy()
    {
        if (HasUnsealedChanges)
        {
            _sealed.Add(new QueueChange(Line.TakeChanges(), _noticesAdded.ToList(), _noticesStruck.ToList(), _handBackTaken));
            _noticesAdded.Clear();
            _noticesStruck.Clear();
            _handBackTaken = null;
        }
        if (_sealed.Count > 0)
        {
            // Taken first: a store that answers at once has written the batch, and opened the next, by the time the writer returns.
            var write = new QueueWrite(_epoch, _openBatch);
            if (_writing is null)
                _ = WriteBatches();
            return write;
        }
        // Nothing new: what the turn saw is stored once the batch being written is.
        return new QueueWrite(_epoch, _writing?.Batch ?? _storedUpTo);
    }

    /// <summary>The turn's changes are stored before it ends: for callers that cannot await the batch themselves.</summary>
    private Task WriteAndWait() => WhenStored(StoredBy().Batch);

    private Task WhenStored(long batch)
    {
        if (batch <= _storedUpTo)
            return Task.CompletedTask;
        if (_failed is not null)
            return Task.FromException(_failed);
        return _writing is { } writing && writing.Batch == batch ? writing.Done : _openDone.Task;
    }

    private bool HasUnsealedChanges => !Line.Changes.IsEmpty || _noticesAdded.Count > 0 || _noticesStruck.Count > 0 || _handBackTaken is not null;

    /// <summary>Writes batch after batch until no turn sealed anything more; runs on the grain's scheduler, between and within turns' awaits.</summary>
    private async Task WriteBatches()
    {
        while (_sealed.Count > 0 && _failed is null)
        {
            var changes = _sealed.ToList();
            _sealed.Clear();
            var (batch, done) = (_openBatch, _openDone);
            (_openBatch, _openDone) = (batch + 1, NewBatch());
            _writing = (batch, done.Task);
            try
            {
                await store.ApplyAsync(Name, changes);
            }
            catch (Exception ex)
            {
                _failed = ex;
                this.DeactivateOnIdle();
                logger.Log(TransientFailures.IsTransient(ex) ? LogLevel.Warning : LogLevel.Error, ex,
                    "Queue {Queue}: a write of its line failed; the queue restarts from its store", Name);
                done.TrySetException(ex);
                _openDone.TrySetException(ex);
                _writing = null;
                return;
            }
            _storedUpTo = batch;
            _writing = null;
            foreach (var notice in changes.SelectMany(c => c.NoticesAdded))
                _unstoredNotices.Remove(notice.Id);
            done.TrySetResult();
            // (Not yet there while an activation moves an old state to the store: it sends them once it is.)
            if (changes.Any(c => c.NoticesAdded.Count > 0))
                _notices?.Send();
        }
    }

    /// <summary>Going away (idle, a shutdown, a move): what turns noted is stored first, as far as the time allows.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_failed is not null)
            return;
        try
        {
            await WhenStored(StoredBy().Batch).WaitAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Queue {Queue}: its last changes may not be stored as it deactivates ({Reason}): {Error}", Name, reason.Description, ex.Message);
        }
    }

    private static TaskCompletionSource NewBatch()
    {
        var batch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Observed even when no caller awaits it (a turn that needs no answer), so a failure is not reported unobserved.
        _ = batch.Task.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        return batch;
    }
}
