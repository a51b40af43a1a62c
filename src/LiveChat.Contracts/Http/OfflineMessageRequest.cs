namespace LiveChat.Contracts;

/// <summary>Body of <c>POST /api/visitor/offline-messages</c>: a message left while nobody is online in the queue.</summary>
public sealed record OfflineMessageRequest(string? Queue, string? Name, string? Email, string? Text);
