using LiveChat.Server.Reliability;
using LiveChat.Server.Options;
using LiveChat.Server.Storage;
using LiveChat.Server.Visitors;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Supervision;

/// <summary>A queue's canned responses: read by its agents, written by supervisors, each found by a unique shortcut.</summary>
public sealed class CannedResponsesGrain(
    [PersistentState(StorageNames.CannedResponsesState, StorageNames.Grains)] IPersistentState<CannedResponsesState> state,
    IOptions<LiveChatOptions> options,
    TimeProvider time) : Grain, ICannedResponsesGrain
{
    public const int MaxPerQueue = 200;
    public const int MaxShortcutLength = 40;

    private string? _queue;

    private string Queue => _queue ??= this.GetPrimaryKeyString();
    private List<CannedResponse> Responses => state.State.Responses;

    public Task<IReadOnlyList<CannedResponse>> GetAll() =>
        Task.FromResult<IReadOnlyList<CannedResponse>>(Responses.OrderBy(r => r.Shortcut, StringComparer.OrdinalIgnoreCase).ToList());

    public async Task<CannedResponse> Save(Caller caller, CannedResponseRequest request)
    {
        EnsureSupervisor(caller);
        var shortcut = request.Shortcut?.Trim() ?? "";
        if (shortcut.Length is 0 or > MaxShortcutLength || shortcut.Any(char.IsWhiteSpace))
            throw new ChatRuleException($"shortcut must be 1 to {MaxShortcutLength} characters without spaces, not '{VisitorFields.Shorten(shortcut)}'");
        if (string.IsNullOrWhiteSpace(request.Text))
            throw new ChatRuleException("text of a canned response is empty");
        if (request.Text.Length > options.Value.MaxMessageLength)
            throw new ChatRuleException($"text too long: {request.Text.Length} > {options.Value.MaxMessageLength} characters");

        // Created again because the answer was lost (the node, or the dashboard, sent it again): the one created.
        if (request.Id is null && Responses.Find(r => string.Equals(r.Shortcut, shortcut, StringComparison.OrdinalIgnoreCase) && r.Text == request.Text) is { } repeat)
            return repeat;
        var index = request.Id is null ? -1 : Responses.FindIndex(r => r.Id == request.Id);
        if (request.Id is not null && index < 0)
            throw new ChatRuleException($"unknown canned response: {VisitorFields.Shorten(request.Id)}");
        if (Responses.Exists(r => r.Id != request.Id && string.Equals(r.Shortcut, shortcut, StringComparison.OrdinalIgnoreCase)))
            throw new ChatRuleException($"the {Queue} queue already has a canned response '{shortcut}'");
        if (index < 0 && Responses.Count >= MaxPerQueue)
            throw new ChatRuleException($"the {Queue} queue has the most canned responses allowed ({MaxPerQueue}); delete one first");

        var saved = new CannedResponse(request.Id ?? $"cr_{Guid.NewGuid():N}", Queue, shortcut, request.Text, time.GetUtcNow(), caller.Id);
        if (index < 0)
            Responses.Add(saved);
        else
            Responses[index] = saved;
        await state.Save(this);
        return saved;
    }

    public async Task Delete(Caller caller, string id)
    {
        EnsureSupervisor(caller);
        if (Responses.RemoveAll(r => r.Id == id) == 0)
            throw new ChatRuleException($"unknown canned response: {id}");
        await state.Save(this);
    }

    private void EnsureSupervisor(Caller caller)
    {
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can change canned responses");
        if (!options.Value.IsQueue(Queue))
            throw new ChatRuleException($"unknown queue: {Queue}");
    }
}
