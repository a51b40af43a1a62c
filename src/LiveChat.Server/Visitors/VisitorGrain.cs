using LiveChat.Server.Conversations;
using LiveChat.Server.Reliability;
using LiveChat.Server.Options;
using LiveChat.Server.Storage;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Visitors;

/// <summary>A visitor's profile and the ids of their conversations, so a reload or a new tab resumes them.</summary>
public sealed partial class VisitorGrain(
    [PersistentState(StorageNames.VisitorState, StorageNames.Grains)] IPersistentState<VisitorState> state,
    IOptions<LiveChatOptions> options,
    TimeProvider time,
    ILogger<VisitorGrain> logger) : Grain, IVisitorGrain
{
    // Enough history for any widget; older conversations stay in storage, just not listed here.
    private const int ConversationsKept = 50;
    private const int ConversationsListed = 20;

    private string? _id;

    private string Id => _id ??= this.GetPrimaryKeyString();

    /// <summary>The name of a visitor who never gave one.</summary>
    private string DefaultName => $"Visitor {Id[^4..].ToUpperInvariant()}";
    private VisitorState S => state.State;

    public async Task<VisitorProfile> Touch(string? name, string? email, bool verified, bool overwrite = true)
    {
        var changed = false;
        var named = S.CreatedAt != default && S.Name != DefaultName;
        if (S.CreatedAt == default)
        {
            S.CreatedAt = time.GetUtcNow();
            S.Name = DefaultName;
            changed = true;
        }
        // Without overwrite (a verified visitor's unsigned fields), a name or email only fills in one never given.
        if (!string.IsNullOrWhiteSpace(name) && name.Trim() != S.Name && (overwrite || !named))
        {
            S.Name = name.Trim();
            changed = true;
        }
        if (!string.IsNullOrWhiteSpace(email) && email.Trim() != S.Email && (overwrite || S.Email is null))
        {
            S.Email = email.Trim();
            changed = true;
        }
        if (verified && !S.Verified)
        {
            S.Verified = true;
            changed = true;
        }
        if (changed)
            await state.Save(this);
        return new VisitorProfile(Id, S.Name, S.Email, S.CreatedAt, S.Verified);
    }

    public async Task<ConversationView> StartConversation(StartConversationRequest request, string? address = null)
    {
        if (S.CreatedAt == default)
            throw new ChatRuleException("unknown visitor: open a session first");
        var queue = string.IsNullOrWhiteSpace(request.Queue) ? options.Value.DefaultQueue : request.Queue.Trim();
        if (!options.Value.IsQueue(queue))
            throw new ChatRuleException($"unknown queue: {queue}");

        // One open conversation per queue: a retried or repeated start returns it instead of opening a second.
        if (S.Conversations.FindLast(c => c.Queue == queue) is { } latest)
        {
            var view = await Conversation(latest.ConversationId).Peek();
            if (view.Status != ConversationStatus.Closed)
                return view;
        }

        // Only each queue's latest conversation can be open, as above; a queue holds few, so these peeks are few.
        var limit = options.Value.Limits.OpenConversationsPerVisitor;
        var latestPerQueue = S.Conversations.GroupBy(c => c.Queue).Select(g => g.Last().ConversationId);
        var open = (await Task.WhenAll(latestPerQueue.Select(c => Conversation(c).Peek()))).Count(v => v.Status != ConversationStatus.Closed);
        if (open >= limit)
            throw new ChatRuleException($"too many open conversations: you have {open} open and the most is {limit}; close one before starting another");

        // Stored before it starts: a start whose answer was lost is retried, and the retry goes on with the same one.
        if (S.Starting?.Queue != queue)
        {
            // A new chat: only if its queue takes it (not full, not too many from this address). A retried start was admitted.
            if (await Queue(queue).Admit(address) is { } refusal)
                throw new ChatRuleException(refusal);
            S.Starting = new VisitorConversation(ConversationIds.New(), queue);
            await state.Save(this);
        }
        var id = S.Starting.ConversationId;
        var started = await Conversation(id).Start(new ConversationStart(Id, S.Name, queue, request.Topic, request.Text, S.Verified, S.Email, address));
        S.Conversations.Add(new VisitorConversation(id, queue));
        S.Starting = null;
        if (S.Conversations.Count > ConversationsKept)
            S.Conversations.RemoveRange(0, S.Conversations.Count - ConversationsKept);
        await state.Save(this);
        return started;
    }

    public async Task<IReadOnlyList<ConversationView>> GetConversations() =>
        await Task.WhenAll(Enumerable.Reverse(S.Conversations).Take(ConversationsListed).Select(c => Conversation(c.ConversationId).Peek()));

    public Task<IReadOnlyList<string>> GetConversationIds() =>
        Task.FromResult<IReadOnlyList<string>>([.. S.Conversations.Select(c => c.ConversationId), .. S.Starting is { } starting ? [starting.ConversationId] : Array.Empty<string>()]);

    private IConversationGrain Conversation(string id) => GrainFactory.GetGrain<IConversationGrain>(id);

    private IQueueGrain Queue(string name) => GrainFactory.GetGrain<IQueueGrain>(name);
}
