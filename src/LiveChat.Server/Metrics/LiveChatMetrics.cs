using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace LiveChat.Server.Metrics;

/// <summary>
/// The <c>LiveChat</c> meter: what a node does, for <c>dotnet-counters monitor --counters LiveChat</c> and for
/// OpenTelemetry when an OTLP endpoint is configured. Each node reports what happens on it; a queue's length is
/// reported by the node that holds the queue.
/// </summary>
public sealed class LiveChatMetrics
{
    public const string MeterName = "LiveChat";

    private readonly Counter<long> _messagesSent;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _firstResponse;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _closedByLiveChat;
    private readonly Counter<long> _signInsRefused;
    private readonly ConcurrentDictionary<string, int> _queueLengths = new(StringComparer.Ordinal);

    public LiveChatMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _messagesSent = Meter.CreateCounter<long>("livechat.messages.sent", "{message}",
            "Messages stored, by the sender's role (visitor, agent, supervisor, system) and kind (message, whisper, note).");
        _queueWait = Meter.CreateHistogram<double>("livechat.queue.wait", "s",
            "Time from joining a queue to being assigned an agent, by queue.");
        _firstResponse = Meter.CreateHistogram<double>("livechat.conversation.first_response", "s",
            "Time from assignment to the agent's first message, by queue.");
        _connections = Meter.CreateUpDownCounter<long>("livechat.connections.active", "{connection}",
            "Open hub connections on this node, by hub (visitor, agent, supervisor).");
        _closedByLiveChat = Meter.CreateCounter<long>("livechat.conversations.closed_unattended", "{conversation}",
            "Conversations LiveChat closed because their visitor left, by queue and reason (abandoned: while waiting; visitor-left: while assigned).");
        _signInsRefused = Meter.CreateCounter<long>("livechat.signins.refused", "{sign-in}",
            "Staff sign-ins refused, by reason (wrong-password: unknown user or wrong password; throttled: too many failures, refused before any check).");
        Meter.CreateObservableGauge("livechat.queue.length", ObserveQueueLengths, "{conversation}",
            "Conversations waiting, by queue.");
    }

    public Meter Meter { get; }

    public void MessageSent(string role, string kind) =>
        _messagesSent.Add(1, new KeyValuePair<string, object?>("role", role), new KeyValuePair<string, object?>("kind", kind));

    public void Waited(string queue, TimeSpan wait) => _queueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("queue", queue));

    public void FirstResponse(string queue, double seconds) => _firstResponse.Record(seconds, new KeyValuePair<string, object?>("queue", queue));

    public void Closed(string queue, string reason) =>
        _closedByLiveChat.Add(1, new KeyValuePair<string, object?>("queue", queue), new KeyValuePair<string, object?>("reason", reason));

    public void SignInRefused(string reason) => _signInsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ConnectionOpened(string hub) => _connections.Add(1, new KeyValuePair<string, object?>("hub", hub));

    public void ConnectionClosed(string hub) => _connections.Add(-1, new KeyValuePair<string, object?>("hub", hub));

    public void QueueLength(string queue, int waiting) => _queueLengths[queue] = waiting;

    private IEnumerable<Measurement<int>> ObserveQueueLengths() =>
        _queueLengths.Select(q => new Measurement<int>(q.Value, new KeyValuePair<string, object?>("queue", q.Key)));
}
