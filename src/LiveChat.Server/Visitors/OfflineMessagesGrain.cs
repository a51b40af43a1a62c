using LiveChat.Server.Reliability;
using LiveChat.Server.Storage;

namespace LiveChat.Server.Visitors;

/// <summary>
/// What visitors left for a queue while no agent was online; supervisors read them and mark each one handled once
/// someone has answered by email. At most <see cref="MaxKept"/> are kept: a new one makes room by dropping the oldest
/// handled one, and when every one kept is unhandled, the new one is refused in words rather than an unread one lost.
/// </summary>
public sealed class OfflineMessagesGrain(
    [PersistentState(StorageNames.OfflineMessagesState, StorageNames.Grains)] IPersistentState<OfflineMessagesState> state,
    IOfflineMessageStore store,
    TimeProvider time,
    ILogger<OfflineMessagesGrain> logger) : Grain, IOfflineMessagesGrain
{
    public const int MaxKept = 500;

    private string? _queue;

    private string Queue => _queue ??= this.GetPrimaryKeyString();

    // Newest first; each change is written to the store on its own (see IOfflineMessageStore).
    private List<OfflineMessage> Messages { get; set; } = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // An inbox stored before each message had its own record kept them all in the grain's state: moved once (a
        // repeat after a failed write stores the same records again), then struck from the state.
        if (state.State.Messages.Count > 0)
        {
            foreach (var message in Enumerable.Reverse(state.State.Messages))
                await store.SaveAsync(message);
            state.State.Messages.Clear();
            await state.WriteStateAsync(cancellationToken);
        }
        Messages = [.. await store.LoadAsync(Queue)];
    }

    // Long enough for every retry of a lost answer; a visitor who writes the same words again later is heard again.
    private static readonly TimeSpan RepeatWithin = TimeSpan.FromMinutes(10);

    public async Task<OfflineMessage?> Leave(string name, string email, string text)
    {
        var now = time.GetUtcNow();
        // Left again because the answer was lost (the widget, or the node, sent it again): kept once.
        if (Messages.Find(m => m.Email == email && m.Text == text && m.Name == name && now - m.ReceivedAt < RepeatWithin) is { } repeat)
            return repeat;
        OfflineMessage? dropped = null;
        if (Messages.Count >= MaxKept)
        {
            // Newest first, so the last handled one is the oldest.
            dropped = Messages.FindLast(m => m.Handled);
            if (dropped is null)
            {
                logger.LogError("The offline inbox of {Queue} is full of {Count} unhandled messages: a new one was refused", Queue, Messages.Count);
                _refusedSince ??= now;
                _refused++;
                return null;
            }
        }
        var message = new OfflineMessage($"om_{Guid.NewGuid():N}", Queue, name, email, text, now);
        // Stored before it is kept: a failed write leaves the inbox as it was (or, if only the answer was lost, the
        // next activation reads it back), and the visitor's retry is told apart by its words.
        await this.WriteOrDeactivate(() => store.SaveAsync(message, dropped?.Id));
        if (dropped is not null)
            Messages.Remove(dropped);
        Messages.Insert(0, message);
        return message;
    }

    public Task<IReadOnlyList<OfflineMessage>> GetAll() => Task.FromResult<IReadOnlyList<OfflineMessage>>(Messages.ToList());

    // Refused for want of room since this activation: what the dashboard tells supervisors.
    private int _refused;
    private DateTimeOffset? _refusedSince;

    public Task<OfflineInboxStatus> GetStatus() =>
        Task.FromResult(new OfflineInboxStatus(Queue, Messages.Count, Messages.Count(m => !m.Handled), MaxKept, _refused, _refusedSince));

    public async Task<OfflineMessage> MarkHandled(Caller caller, string id, bool handled)
    {
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can mark an offline message handled");
        var index = Messages.FindIndex(m => m.Id == id);
        if (index < 0)
            throw new ChatRuleException($"unknown offline message: {id}");
        var message = Messages[index];
        if (message.Handled == handled)
            return message;
        var changed = handled ? message with { HandledBy = caller.Id, HandledAt = time.GetUtcNow() } : message with { HandledBy = null, HandledAt = null };
        await this.WriteOrDeactivate(() => store.SaveAsync(changed));
        Messages[index] = changed;
        return changed;
    }
}
