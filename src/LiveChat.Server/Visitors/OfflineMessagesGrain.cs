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
    TimeProvider time,
    ILogger<OfflineMessagesGrain> logger) : Grain, IOfflineMessagesGrain
{
    public const int MaxKept = 500;

    private string Queue => this.GetPrimaryKeyString();
    private List<OfflineMessage> Messages => state.State.Messages;

    // Long enough for every retry of a lost answer; a visitor who writes the same words again later is heard again.
    private static readonly TimeSpan RepeatWithin = TimeSpan.FromMinutes(10);

    public async Task<OfflineMessage?> Leave(string name, string email, string text)
    {
        var now = time.GetUtcNow();
        // Left again because the answer was lost (the widget, or the node, sent it again): kept once.
        if (Messages.Find(m => m.Email == email && m.Text == text && m.Name == name && now - m.ReceivedAt < RepeatWithin) is { } repeat)
            return repeat;
        if (Messages.Count >= MaxKept)
        {
            // Newest first, so the last handled one is the oldest.
            var oldestHandled = Messages.FindLastIndex(m => m.Handled);
            if (oldestHandled < 0)
            {
                logger.LogError("The offline inbox of {Queue} is full of {Count} unhandled messages: a new one was refused", Queue, Messages.Count);
                return null;
            }
            Messages.RemoveAt(oldestHandled);
        }
        var message = new OfflineMessage($"om_{Guid.NewGuid():N}", Queue, name, email, text, now);
        Messages.Insert(0, message);
        await state.Save(this);
        return message;
    }

    public Task<IReadOnlyList<OfflineMessage>> GetAll() => Task.FromResult<IReadOnlyList<OfflineMessage>>(Messages.ToList());

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
        Messages[index] = handled ? message with { HandledBy = caller.Id, HandledAt = time.GetUtcNow() } : message with { HandledBy = null, HandledAt = null };
        await state.Save(this);
        return Messages[index];
    }
}
