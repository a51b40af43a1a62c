namespace LiveChat.Contracts;

/// <summary>
/// One message of a conversation; <see cref="Seq"/> is its place in its stream, 1, 2, 3 ... Messages the visitor
/// sees (<see cref="MessageKinds.Message"/>) have one numbering; whispers and notes, which only agents and
/// supervisors see, have another of their own, so a visitor's seq never shows a gap where one was written.
/// </summary>
[GenerateSerializer, Alias("ChatMessage"), Immutable]
public sealed record ChatMessage(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string SenderRole,
    [property: Id(3)] string SenderId,
    [property: Id(4)] string SenderName,
    [property: Id(5)] string Text,
    [property: Id(6)] DateTimeOffset SentAt,
    [property: Id(7)] string ClientMessageId,
    [property: Id(8)] string Kind = MessageKinds.Message);

/// <summary>What a message is, as <c>kind</c> on the wire.</summary>
public static class MessageKinds
{
    /// <summary>Part of the conversation everyone in it sees.</summary>
    public const string Message = "message";

    /// <summary>From a supervisor to the conversation's agent; never shown to the visitor.</summary>
    public const string Whisper = "whisper";

    /// <summary>An internal note by an agent or supervisor; never shown to the visitor.</summary>
    public const string Note = "note";
}
