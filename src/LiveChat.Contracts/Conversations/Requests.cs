namespace LiveChat.Contracts;

/// <summary>Argument of <c>StartConversation</c>: the queue (default queue when omitted), a topic and a first message.</summary>
[GenerateSerializer, Alias("StartConversationRequest"), Immutable]
public sealed record StartConversationRequest(
    [property: Id(0)] string? Queue = null,
    [property: Id(1)] string? Topic = null,
    [property: Id(2)] string? Text = null);

/// <summary>Argument of <c>TransferConversation</c>: exactly one of an agent or a queue.</summary>
[GenerateSerializer, Alias("TransferRequest"), Immutable]
public sealed record TransferRequest(
    [property: Id(0)] string? ToAgentId = null,
    [property: Id(1)] string? ToQueue = null);
