namespace LiveChat.Contracts;

/// <summary>The answer to a send: the message is stored under <see cref="Seq"/>. <see cref="Duplicate"/> is true when the client message id was already stored, and then <see cref="Seq"/> is the first send's.</summary>
[GenerateSerializer, Alias("MessageAck"), Immutable]
public sealed record MessageAck(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] DateTimeOffset SentAt,
    [property: Id(3)] bool Duplicate);
