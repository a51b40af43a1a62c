using Polly;
using Polly.Retry;

namespace LiveChat.Server.Reliability;

/// <summary>A decision another grain must hear of, kept in its sender's state until that grain has it.</summary>
public interface IOutboxMessage
{
    /// <summary>Unique: the receiver recognises a repeat by it, and the sender strikes the message by it.</summary>
    string Id { get; }

    /// <summary>Who hears of it: one receiver's messages go one at a time, in order.</summary>
    string Receiver { get; }
}

/// <summary>
/// The receipt a grain gives itself for a message of its outbox that arrived (or was given up), in a turn of its own. Internal: only the
/// grain's own outbox calls it.
/// </summary>
internal interface IOutboxOwner : IGrainWithStringKey
{
    Task Delivered(string messageId);
}

/// <summary>
/// The one way a grain tells another of a decision that must not be lost (a queue's notices to conversations, an
/// agent's hand-backs to queues, a conversation's line announcing its assignment):
/// <list type="number">
/// <item>the message is stored in the grain's state in the same write as the decision;</item>
/// <item>once that write is done (<see cref="Send"/>), it is sent outside the grain's turn, because the receiver may be
/// calling this grain (a conversation calls its queue as the queue tells it of an assignment), each receiver's messages
/// in order, and sent again (500 ms after a failure, doubling to 5 s) until the receiver answers: while its node is
/// dead and not yet evicted, or while Redis restarts, and whatever else went wrong, since a notice given up can strand
/// a chat. Only a refusal in words (<see cref="ChatRuleException"/>: the receiver will never take it) is tried
/// <see cref="TriesWhenRefused"/> times, then logged as an error and given up: sent forever, it would keep its grain
/// alive and hold up the receiver's later messages;</item>
/// <item>the receipt (<see cref="IOutboxOwner.Delivered"/>) strikes it from the state in a turn of its own, since a
/// write from outside a turn could overlap a turn's; the grain only strikes and writes.</item>
/// </list>
/// A message still stored when the grain is activated again (its node died) is sent by the new activation, so the
/// receiver must recognise a repeat by <see cref="IOutboxMessage.Id"/>.
/// </summary>
internal sealed class Outbox<T> where T : IOutboxMessage
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(5);
    internal const int TriesWhenRefused = 3;

    private readonly Func<IEnumerable<T>> _messages;
    private readonly Func<T, Task> _deliver;
    private readonly IOutboxOwner _owner;
    private readonly string _sender;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _untilAnswered;
    // Messages known to be stored, so sendable; a turn may have added one it has not written yet.
    private readonly HashSet<string> _stored = new(StringComparer.Ordinal);
    // Receivers whose messages are being sent now.
    private readonly HashSet<string> _sending = new(StringComparer.Ordinal);

    /// <param name="owner">Where receipts go: the grain whose state holds the messages (see <see cref="For"/>).</param>
    /// <param name="sender">The sender's name in the log.</param>
    /// <param name="messages">The messages in the grain's state, oldest first.</param>
    /// <param name="deliver">Sends one message to its receiver; it throws unless the receiver has it.</param>
    public Outbox(IOutboxOwner owner, string sender, Func<IEnumerable<T>> messages, Func<T, Task> deliver, TimeProvider time, ILogger logger)
    {
        (_owner, _sender, _messages, _deliver, _logger) = (owner, sender, messages, deliver, logger);
        _untilAnswered = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                    && (ex is not ChatRuleException || args.AttemptNumber + 1 < TriesWhenRefused)),
                BackoffType = DelayBackoffType.Exponential,
                Delay = FirstWait,
                MaxDelay = LongestWait,
                UseJitter = false,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    logger.LogWarning("{Sender}: a message of its outbox did not arrive, sent again in {Wait}: {Error}",
                        sender, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The outbox of a grain that implements <see cref="IOutboxOwner"/>: its receipts are calls to itself.</summary>
    public static Outbox<T> For(Grain grain, Func<IEnumerable<T>> messages, Func<T, Task> deliver, TimeProvider time, ILogger logger) =>
        new(grain.AsReference<IOutboxOwner>(), grain.GetGrainId().ToString(), messages, deliver, time, logger);

    /// <summary>After the write that stored new messages, and on activation: sends every stored message not yet on its way.</summary>
    public void Send()
    {
        var messages = _messages().ToList();
        foreach (var message in messages)
            _stored.Add(message.Id);
        foreach (var receiver in messages.Select(m => m.Receiver).Distinct(StringComparer.Ordinal))
        {
            if (_sending.Add(receiver))
                _ = SendTo(receiver);
        }
    }

    private async Task SendTo(string receiver)
    {
        try
        {
            while (_messages().FirstOrDefault(m => m.Receiver == receiver && _stored.Contains(m.Id)) is { } message)
            {
                try
                {
                    await Retry(() => _deliver(message));
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "{Sender}: gave up a message of its outbox to {Receiver} ({MessageId}), refused {Tries} times",
                        _sender, receiver, message.Id, TriesWhenRefused);
                }
                await Retry(() => _owner.Delivered(message.Id));
                // Struck from the state by the receipt: nothing left to send of it.
                _stored.Remove(message.Id);
            }
        }
        finally
        {
            _sending.Remove(receiver);
        }
    }

    // Continued on the grain's own scheduler: the loop above reads the grain's state between sends.
    private async Task Retry(Func<Task> send)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true);
        try
        {
            await _untilAnswered.ExecuteAsync(static async (_, send) => await send(), context, send);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
