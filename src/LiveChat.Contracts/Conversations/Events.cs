namespace LiveChat.Contracts;

/// <summary>Argument of the <c>TypingChanged</c> event.</summary>
public sealed record TypingIndicator(string ConversationId, string SenderRole, string SenderName, bool IsTyping);

/// <summary>Argument of the <c>ReadReceipt</c> event: the reader has read everything up to <see cref="Seq"/>.</summary>
public sealed record ReadReceipt(string ConversationId, string ReaderRole, long Seq);
