using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LiveChat.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveChat.LoadTests.Targets;

/// <summary>How one send ended: acknowledged, refused for good, or never answered before the run gave up on it.</summary>
/// <param name="Tries">Calls made, the first included.</param>
/// <param name="Waits">The refusals that named a wait, and the answers that never came, each followed by a resend with the same id.</param>
public sealed record SendOutcome(MessageAck? Ack, string? Refusal, int Tries, IReadOnlyList<string> Waits)
{
    public bool Acked => Ack is not null;
}

/// <summary>
/// A visitor or agent that does what docs/protocol.md asks of a real client when a node or its storage stumbles. A send
/// is tried until it is acknowledged: after a refusal that names a wait (<c>too many messages … (retry after N s)</c>,
/// <c>LiveChat is moving to another server …</c>) it is sent again with the same client message id once that wait is
/// over; after an answer that never came (the connection closed under it, or nothing within <see cref="AnswerTimeout"/>)
/// it is sent again at once. Any other refusal is final. When its connection closes, the client connects again at once,
/// to the next node (so the clients of a dead node move to a live one), and catches up by <c>seq</c>.
/// </summary>
public sealed partial class ResumingClient : IAsyncDisposable
{
    /// <summary>How long a call's answer is waited for before it counts as lost: longer than the node's own retries through a failover (20 s).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>"Please try again in a moment": the wait before a send refused because the service was moving goes again.</summary>
    private static readonly TimeSpan MovingWait = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<Uri> _nodes;
    private readonly string _path;
    private readonly string _token;
    private readonly Action<ChatMessage> _onMessage;
    private readonly Func<ResumingClient, Task> _onReconnected;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly CancellationTokenSource _stopped = new();
    private HubConnection? _hub;
    private int _node;
    private int _reconnects;

    /// <param name="onMessage">Every <c>MessageReceived</c> push, on whichever connection it came.</param>
    /// <param name="onReconnected">Runs after each new connection but the first, outside the send path: the catch-up.</param>
    /// <param name="log">Events worth keeping beside the node logs: reconnects and refusals.</param>
    public ResumingClient(string name, IReadOnlyList<Uri> nodes, int node, string path, string token, Action<ChatMessage> onMessage,
        Func<ResumingClient, Task> onReconnected, Action<string> log)
    {
        (Name, _nodes, _node, _path, _token) = (name, nodes, node % nodes.Count, path, token);
        (_onMessage, _onReconnected, _log) = (onMessage, onReconnected, log);
    }

    public string Name { get; }

    /// <summary>Connections made after the first one.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Connects the first time; the client keeps itself connected from then on.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken) => await CurrentAsync(cancellationToken);

    /// <summary>
    /// Sends until the message is acknowledged or refused for good, or until <paramref name="giveUpAt"/> (a Stopwatch
    /// timestamp) or <paramref name="cancellationToken"/>: then it is unanswered.
    /// </summary>
    public async Task<SendOutcome> SendAsync(string conversationId, string clientMessageId, string text, long giveUpAt, CancellationToken cancellationToken)
    {
        var tries = 0;
        var waits = new List<string>();
        try
        {
            while (Stopwatch.GetTimestamp() < giveUpAt)
            {
                tries++;
                switch (await TryAsync<MessageAck>("SendMessage", [conversationId, clientMessageId, text], giveUpAt, cancellationToken))
                {
                    case { Answered: true, Answer: { } ack }:
                        return new SendOutcome(ack, null, tries, waits);
                    case { Refusal: { } refusal } when RetryAfter(refusal) is { } wait:
                        waits.Add(refusal);
                        if (refusal.Length == 0)
                            _log($"{Name}: {clientMessageId} in {conversationId} answered with an unexpected server error (no reason given); sending it again");
                        await Task.Delay(wait, cancellationToken);
                        break;
                    case { Refusal: { } refusal }:
                        _log($"{Name}: {clientMessageId} in {conversationId} refused for good: {refusal}");
                        return new SendOutcome(null, refusal, tries, waits);
                    case { Lost: { } why }:
                        waits.Add(why);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        return new SendOutcome(null, null, tries, waits);
    }

    /// <summary>
    /// A read or an agent's call (<c>GetMessages</c>, <c>GetMyConversations</c>, <c>GetMe</c>): tried again, as a send
    /// is, until it is answered or refused for good. A final refusal throws a <see cref="HubException"/> with its reason.
    /// </summary>
    public async Task<T> InvokeAsync<T>(string method, object?[] args, TimeSpan within, CancellationToken cancellationToken)
    {
        var giveUpAt = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var outcome = await TryAsync<T>(method, args, giveUpAt, cancellationToken);
            if (outcome.Answered)
                return outcome.Answer!;
            var wait = outcome.Refusal is { } refusal ? RetryAfter(refusal) ?? throw new HubException(refusal) : TimeSpan.Zero;
            if (Stopwatch.GetTimestamp() >= giveUpAt)
                throw new TimeoutException($"{Name}: {method} not answered within {within.TotalSeconds:0} s ({outcome.Refusal ?? outcome.Lost})");
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>The wait a refusal names before the same call may go again; null for a refusal that is final.</summary>
    public static TimeSpan? RetryAfter(string refusal)
    {
        if (RetryAfterSeconds().Match(refusal) is { Success: true } match)
            return TimeSpan.FromSeconds(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        if (refusal.StartsWith("LiveChat is moving to another server", StringComparison.Ordinal))
            return MovingWait;
        // SignalR's generic text: an unexpected fault on the server, which gives no reason. Nothing says the call was
        // wrong, and a send is safe to repeat, so it goes again after the same moment.
        if (refusal.Length == 0)
            return MovingWait;
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopped.CancelAsync();
        if (_hub is not null)
            await _hub.DisposeAsync();
        _stopped.Dispose();
    }

    /// <summary>One call on the live connection: answered, refused in words, or its answer lost.</summary>
    private async Task<Try<T>> TryAsync<T>(string method, object?[] args, long giveUpAt, CancellationToken cancellationToken)
    {
        HubConnection hub;
        try
        {
            hub = await CurrentAsync(cancellationToken, giveUpAt);
        }
        catch (TimeoutException)
        {
            return Try<T>.LostBecause("no node could be reached");
        }
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), giveUpAt);
        answer.CancelAfter(left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : left < AnswerTimeout ? left : AnswerTimeout);
        var began = Stopwatch.GetTimestamp();
        try
        {
            return new Try<T>(true, await hub.InvokeCoreAsync<T>(method, args, answer.Token), null, null);
        }
        catch (HubException ex)
        {
            return new Try<T>(false, default, Reason(ex.Message), null);
        }
        catch (Exception) when (answer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Try<T>.LostBecause($"no answer in {Stopwatch.GetElapsedTime(began).TotalSeconds:0.0} s");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection closed under the call, or was not open: the answer is lost, and the next call reconnects.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            return Try<T>.LostBecause($"connection lost ({ex.GetType().Name})");
        }
    }

    /// <summary>The reason in words after SignalR's prefix; empty when the server gave none (an unexpected fault).</summary>
    private static string Reason(string message)
    {
        const string marker = "HubException: ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? "" : message[(at + marker.Length)..];
    }

    /// <summary>The live connection, or a new one to the next node that answers; a new one after the first is caught up in the background.</summary>
    private async Task<HubConnection> CurrentAsync(CancellationToken cancellationToken, long giveUpAt = long.MaxValue)
    {
        if (_hub is { State: HubConnectionState.Connected } live)
            return live;
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_hub is { State: HubConnectionState.Connected } connected)
                return connected;
            var first = _hub is null;
            if (_hub is not null)
            {
                await _hub.DisposeAsync();
                _hub = null;
                _node = (_node + 1) % _nodes.Count;
            }
            for (var attempt = 0; ; attempt++)
            {
                var hub = Connections.Build(new Uri(_nodes[_node], _path), _token);
                hub.On<ChatMessage>("MessageReceived", _onMessage);
                try
                {
                    await hub.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                    hub.Closed += _ => Reconnect();
                    _hub = hub;
                    break;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    await hub.DisposeAsync();
                    if (Stopwatch.GetTimestamp() >= giveUpAt)
                        throw new TimeoutException($"{Name}: no node answered");
                    _node = (_node + 1) % _nodes.Count;
                    // At once to the next node, then a little slower: a node being restarted takes seconds.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * (attempt + 1))), cancellationToken);
                }
            }
            if (!first)
            {
                Interlocked.Increment(ref _reconnects);
                _log($"{Name}: connected again, to {_nodes[_node]}");
                _ = CatchUpAsync();
            }
            return _hub;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>A closed connection is replaced at once, so pushes resume even for a side that has nothing to send.</summary>
    private Task Reconnect()
    {
        if (!_stopped.IsCancellationRequested)
            _ = Task.Run(async () =>
            {
                try
                {
                    await CurrentAsync(_stopped.Token);
                }
                catch (Exception) when (_stopped.IsCancellationRequested)
                {
                }
                catch (ObjectDisposedException)
                {
                }
            });
        return Task.CompletedTask;
    }

    private async Task CatchUpAsync()
    {
        try
        {
            await _onReconnected(this);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The next reconnect, or the final fetch, catches up instead.
            _log($"{Name}: catching up after the reconnect failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    [GeneratedRegex(@"retry after (\d+(?:\.\d+)?) s")]
    private static partial Regex RetryAfterSeconds();

    private sealed record Try<T>(bool Answered, T? Answer, string? Refusal, string? Lost)
    {
        public static Try<T> LostBecause(string why) => new(false, default, null, why);
    }
}
