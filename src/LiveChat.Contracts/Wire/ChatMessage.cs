namespace LiveChat.Contracts;

/// <summary>One message of a conversation; <see cref="Seq"/> is its place in the conversation, 1, 2, 3 ...</summary>
[GenerateSerializer, Alias("ChatMessage"), Immutable]
public sealed record ChatMessage(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string SenderRole,
    [property: Id(3)] string SenderId,
    [property: Id(4)] string SenderName,
    [property: Id(5)] string Text,
    [property: Id(6)] DateTimeOffset SentAt,
    [property: Id(7)] string ClientMessageId);
