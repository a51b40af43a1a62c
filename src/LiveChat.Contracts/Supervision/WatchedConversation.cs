namespace LiveChat.Contracts;

/// <summary>The answer to <c>WatchConversation</c>: the conversation, its latest messages and its latest whispers and notes.</summary>
[GenerateSerializer, Alias("WatchedConversation"), Immutable]
public sealed record WatchedConversation(
    [property: Id(0)] ConversationView Conversation,
    [property: Id(1)] IReadOnlyList<ChatMessage> Messages,
    [property: Id(2)] IReadOnlyList<ChatMessage> InternalMessages);
