using LiveChat.Contracts;

namespace LiveChat.Server.Storage;

/// <summary>
/// The append-only message log of every conversation. Only the conversation's grain writes to it, so seq numbers
/// arrive in order; the log still refuses a seq it already has, and keeps client message ids so a retried send is
/// recognised however old it is.
/// </summary>
public interface IMessageLog
{
    /// <summary>
    /// Appends a message durably. When a message with the same client message id is already stored, nothing is
    /// appended and that earlier message is returned; otherwise null.
    /// </summary>
    Task<ChatMessage?> AppendAsync(ChatMessage message);

    /// <summary>Messages with seq greater than <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadAsync(string conversationId, long afterSeq, int limit);

    /// <summary>The highest seq stored for the conversation, 0 when it has none.</summary>
    Task<long> GetLastSeqAsync(string conversationId);
}
