
namespace LiveChat.Server.Storage;

/// <summary>
/// The append-only message log of every conversation. Only the conversation's grain writes to it, so seq numbers
/// arrive in order; the log still refuses a seq it already has, and keeps client message ids so a retried send is
/// recognised however old it is. A client message id is unique per sender: the visitor's "1" and the agent's "1"
/// are two messages. A conversation has two streams (<see cref="LogStreams"/>), each numbered from 1: what the visitor
/// sees, and the whispers and notes only agents and supervisors see.
/// </summary>
public interface IMessageLog
{
    /// <summary>
    /// Appends a message durably. When the sender already stored a message with the same client message id,
    /// nothing is appended and that earlier message is returned; otherwise null.
    /// </summary>
    Task<ChatMessage?> AppendAsync(string stream, ChatMessage message);

    /// <summary>The message the sender stored under this client message id, or null.</summary>
    Task<ChatMessage?> FindAsync(string stream, string senderId, string clientMessageId);

    /// <summary>Messages with seq greater than <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadAsync(string stream, long afterSeq, int limit);

    /// <summary>The highest seq stored in the stream, 0 when it has none.</summary>
    Task<long> GetLastSeqAsync(string stream);

    /// <summary>The key a sent message is recognised by: its sender and the sender's own id for it.</summary>
    static string SendKey(string senderId, string clientMessageId) => $"{senderId}\n{clientMessageId}";
}

/// <summary>The names of a conversation's two streams in the message log.</summary>
public static class LogStreams
{
    /// <summary>The messages everyone in the conversation sees.</summary>
    public static string Public(string conversationId) => conversationId;

    private const string InternalSuffix = ":internal";

    /// <summary>Whispers and notes: agents and supervisors only.</summary>
    public static string Internal(string conversationId) => conversationId + InternalSuffix;

    /// <summary>The conversation a stream belongs to, and whether it is that conversation's internal stream.</summary>
    public static (string ConversationId, bool Internal) Of(string stream) =>
        stream.EndsWith(InternalSuffix, StringComparison.Ordinal) ? (stream[..^InternalSuffix.Length], true) : (stream, false);
}
