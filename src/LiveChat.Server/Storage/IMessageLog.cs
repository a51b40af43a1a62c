using LiveChat.Contracts;

namespace LiveChat.Server.Storage;

/// <summary>
/// The append-only message log of every conversation. Only the conversation's grain writes to it, so seq numbers
/// arrive in order; the log still refuses a seq it already has, and keeps client message ids so a retried send is
/// recognised however old it is. A client message id is unique per sender: the visitor's "1" and the agent's "1"
/// are two messages.
/// </summary>
public interface IMessageLog
{
    /// <summary>
    /// Appends a message durably. When the sender already stored a message with the same client message id,
    /// nothing is appended and that earlier message is returned; otherwise null.
    /// </summary>
    Task<ChatMessage?> AppendAsync(ChatMessage message);

    /// <summary>The message the sender stored under this client message id, or null.</summary>
    Task<ChatMessage?> FindAsync(string conversationId, string senderId, string clientMessageId);

    /// <summary>Messages with seq greater than <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadAsync(string conversationId, long afterSeq, int limit);

    /// <summary>The highest seq stored for the conversation, 0 when it has none.</summary>
    Task<long> GetLastSeqAsync(string conversationId);

    /// <summary>The key a sent message is recognised by: its sender and the sender's own id for it.</summary>
    static string SendKey(string senderId, string clientMessageId) => $"{senderId}\n{clientMessageId}";
}
