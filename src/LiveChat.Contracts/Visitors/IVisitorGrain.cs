using Orleans.Concurrency;

namespace LiveChat.Contracts;

/// <summary>A visitor (key: visitor id): profile and conversations, so a reload resumes where it stopped.</summary>
public interface IVisitorGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates or refreshes the visitor's profile; a null name or email keeps the stored one. <paramref name="verified"/>
    /// marks a visitor whose site signed the session for a user it knows; once verified, always verified.
    /// </summary>
    Task<VisitorProfile> Touch(string? name, string? email, bool verified, bool overwrite = true);

    /// <summary>
    /// Starts a conversation, or returns the visitor's open conversation in that queue if there is one. A new one is
    /// refused in words when its queue does not admit it (full, or too many waiting from <paramref name="address"/>).
    /// </summary>
    Task<ConversationView> StartConversation(StartConversationRequest request, string? address = null);

    /// <summary>The visitor's conversations, newest first.</summary>
    Task<IReadOnlyList<ConversationView>> GetConversations();

    /// <summary>The ids of the visitor's conversations (the latest kept ones, and one being started): what their hub lets them name.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetConversationIds();

    /// <summary>A connection of the visitor opened (the visitor hub): they are here.</summary>
    Task Connected(string connectionId);

    /// <summary>
    /// A connection of the visitor opened. With a conversation (or a grace running) this is <see cref="Connected"/>, and
    /// the answer is true. A visitor with no conversation yet has nothing to be present for: the connection is not kept,
    /// the answer is false, and a while later the grain lets its activation go, so a visitor connected without a chat
    /// costs the node nothing here. The hub calls <see cref="Connected"/> for the connection once it has a conversation.
    /// </summary>
    Task<bool> Arrived(string connectionId);

    /// <summary>A connection closed; with none left, the grace (<c>LiveChat:VisitorGraceSeconds</c>) starts.</summary>
    Task Disconnected(string connectionId);

    /// <summary>A node still holds these connections of the visitor: see VisitorPresenceTracker. A connection not renewed for three rounds is gone.</summary>
    [Orleans.Concurrency.OneWay]
    Task Renew(IReadOnlyList<string> connectionIds);

    /// <summary>
    /// A conversation of the visitor was activated while waiting or assigned: an activation of this grain that lost its
    /// connections with its node starts the grace, so a visitor who never comes back is let go.
    /// </summary>
    [Orleans.Concurrency.OneWay]
    Task Watch();
}

[GenerateSerializer, Alias("VisitorProfile"), Immutable]
public sealed record VisitorProfile(
    [property: Id(0)] string VisitorId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Email,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] bool Verified = false);
