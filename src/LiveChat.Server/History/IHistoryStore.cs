namespace LiveChat.Server.History;

/// <summary>
/// Where conversations are remembered once they matter beyond the live chat: the archive supervisors search, the
/// reports, retention and erasure. PostgreSQL when <c>ConnectionStrings:Postgres</c> is set, memory otherwise. It is fed
/// from the conversations' events and never on the live path (docs/design: "History"), so every write here is safe to
/// repeat: a message is known by its conversation, stream and seq, and a conversation's row by its version, an older
/// one never replacing a newer.
/// </summary>
public interface IHistoryStore
{
    /// <summary>Stores what is new of these conversations and messages; what is already stored stays as it is.</summary>
    Task RecordAsync(IReadOnlyList<ArchivedConversation> conversations, IReadOnlyList<ArchivedMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Conversations that match, newest first, at most <see cref="ArchiveQuery.Limit"/> from <see cref="ArchiveQuery.Offset"/>, and how many match in all.</summary>
    Task<ArchivePage> SearchAsync(ArchiveQuery query, CancellationToken cancellationToken = default);

    /// <summary>The highest seq stored of each stream of these conversations (a stream with none stored is left out).</summary>
    Task<IReadOnlyDictionary<(string ConversationId, ArchiveStream Stream), long>> LastSeqsAsync(IReadOnlyList<string> conversationIds, CancellationToken cancellationToken = default);

    /// <summary>Both streams of a conversation in seq order, the visitor's first (empty for one not stored).</summary>
    Task<IReadOnlyList<ArchivedMessage>> MessagesAsync(string conversationId, CancellationToken cancellationToken = default);
}

/// <summary>A conversation as last known. <see cref="Version"/> grows with every change its grain makes.</summary>
public sealed record ArchivedConversation(
    string Id,
    long Version,
    string Queue,
    ConversationStatus Status,
    string? Topic,
    string VisitorId,
    string VisitorName,
    string? VisitorEmail,
    bool VisitorVerified,
    string? AgentId,
    string? AgentName,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AssignedAt,
    double? FirstResponseSeconds,
    DateTimeOffset? ClosedAt,
    string? ClosedReason,
    int? Rating,
    long LastSeq);

/// <summary>Which stream of a conversation a message belongs to.</summary>
public enum ArchiveStream : short
{
    /// <summary>What the visitor sees.</summary>
    Public = 0,

    /// <summary>Whispers and notes, for staff only.</summary>
    Internal = 1,
}

public sealed record ArchivedMessage(ArchiveStream Stream, ChatMessage Message);

/// <summary>
/// What to look for; every filter left null matches all. <see cref="Text"/> matches conversations with a message (of
/// either stream) holding every word of it (<see cref="ArchiveWords"/>), whole words, any case.
/// </summary>
public sealed record ArchiveQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Queue = null,
    string? AgentId = null,
    ConversationStatus? Status = null,
    string? Text = null,
    int Offset = 0,
    int Limit = 50)
{
    public const int MaxLimit = 200;

    /// <summary>Refuses a page that cannot be: a limit outside 1..<see cref="MaxLimit"/>, an offset below 0.</summary>
    public void EnsureValid()
    {
        if (Limit is < 1 or > MaxLimit)
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, $"a page holds 1 to {MaxLimit} conversations");
        if (Offset < 0)
            throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "an offset cannot be negative");
    }
}

/// <summary>Times as the history keeps them: to the microsecond, in UTC, as PostgreSQL stores them.</summary>
public static class ArchiveTime
{
    public static DateTimeOffset Of(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % 10, TimeSpan.Zero);

    public static DateTimeOffset? Of(DateTimeOffset? time) => time is { } t ? Of(t) : null;

    /// <summary>The conversation with its times as kept.</summary>
    public static ArchivedConversation Of(ArchivedConversation c) =>
        c with { CreatedAt = Of(c.CreatedAt), AssignedAt = Of(c.AssignedAt), ClosedAt = Of(c.ClosedAt) };

    /// <summary>The message with its time as kept.</summary>
    public static ArchivedMessage Of(ArchivedMessage m) => m with { Message = m.Message with { SentAt = Of(m.Message.SentAt) } };
}

public sealed record ArchivePage(IReadOnlyList<ArchivedConversation> Conversations, long Total);
