using LiveChat.Server.Reliability;
using LiveChat.Server.Storage;

namespace LiveChat.Server.Conversations;

/// <summary>What supervisors do in a conversation: watch it, whisper, write notes (agents too), take it over.</summary>
public sealed partial class ConversationGrain
{
    // Most watchers kept: a supervisor's node dying leaves its connection ids behind, which only cost a push to an empty group.
    private const int MaxWatchers = 50;
    private const int WatchHistory = 200;

    public async Task<MessageAck> AddInternal(Caller caller, string kind, string clientMessageId, string text)
    {
        EnsureExists();
        switch (kind)
        {
            case MessageKinds.Whisper when !caller.IsSupervisor:
                throw new ChatRuleException("only a supervisor can whisper");
            case MessageKinds.Whisper when S.Status == ConversationStatus.Closed:
                // A retry of a whisper that made it before the close still gets its ack.
                var earlier = await log.FindAsync(InternalStream, caller.Id, clientMessageId);
                return earlier is not null ? RetryAck(earlier) : throw new ChatRuleException("conversation is closed");
            case MessageKinds.Whisper:
                break;
            case MessageKinds.Note:
                // Notes stay writable after the close: that is when many get written.
                EnsureStaff(caller);
                break;
            default:
                throw new ChatRuleException($"unknown kind of internal message: {kind}");
        }

        var stream = InternalStream;
        _lastInternalSeq ??= await log.GetLastSeqAsync(stream);
        var message = new ChatMessage(Id, _lastInternalSeq.Value + 1, caller.Role, caller.Id, caller.Name, text, time.GetUtcNow(), clientMessageId, kind);
        if (await this.WriteOrDeactivate(() => log.AppendAsync(stream, message)) is { } stored)
        {
            // Already stored, by a send whose answer was lost: the log is ahead of what this activation knew, and the
            // whisper or note may never have been shown: shown again, as a message is (see Append).
            _lastInternalSeq = Math.Max(_lastInternalSeq.Value, stored.Seq);
            await Push(agent: c => c.InternalMessageReceived(stored), watchers: c => c.InternalMessageReceived(stored));
            return RetryAck(stored);
        }
        _lastInternalSeq = message.Seq;
        metrics.MessageSent(caller.Role, kind);
        await Push(agent: c => c.InternalMessageReceived(message), watchers: c => c.InternalMessageReceived(message));
        return new MessageAck(Id, message.Seq, message.SentAt, Duplicate: false);
    }

    public Task<IReadOnlyList<ChatMessage>> GetInternalMessages(Caller caller, long afterSeq, int limit)
    {
        EnsureStaff(caller);
        return log.ReadAsync(InternalStream, afterSeq, limit);
    }

    public async Task<WatchedConversation> Watch(Caller caller, string connectionId)
    {
        EnsureExists();
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can watch a conversation");
        if (S.Watchers.Add(connectionId))
        {
            while (S.Watchers.Count > MaxWatchers)
                S.Watchers.Remove(S.Watchers.First());
            await WriteState(forHistory: false);
        }
        var internalStream = InternalStream;
        _lastInternalSeq ??= await log.GetLastSeqAsync(internalStream);
        var messages = log.ReadAsync(LogStreams.Public(Id), Math.Max(0, _lastSeq - WatchHistory), WatchHistory);
        var internalMessages = log.ReadAsync(internalStream, Math.Max(0, _lastInternalSeq.Value - WatchHistory), WatchHistory);
        return new WatchedConversation(View(), await messages, await internalMessages);
    }

    public async Task WatcherLeft(string connectionId)
    {
        if (S.Watchers.Remove(connectionId))
            await WriteState(forHistory: false);
    }

    public async Task<ConversationView> TakeOver(Caller caller)
    {
        EnsureExists();
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can take over a conversation");
        if (S.Status == ConversationStatus.Closed)
            throw new ChatRuleException("conversation is closed");
        if (S.Status == ConversationStatus.Active && S.AgentId == caller.Id)
            return View();

        // The supervisor's slot first: whatever the agent or queue does meanwhile, the conversation is never without one.
        var supervisor = await Agent(caller.Id).Claim(Id, S.Queue, S.CreatedAt);
        var previous = S.Status == ConversationStatus.Active ? S.AgentId : null;
        if (previous is not null)
            await Agent(previous).Release(Id);
        else
            await Queue(S.Queue).Remove(Id);
        var note = previous is null
            ? $"{supervisor.DisplayName} joined the conversation."
            : $"{supervisor.DisplayName} took over the conversation from {S.AgentName ?? previous}.";
        await AssignTo(supervisor, note, previous);
        return View();
    }
}
