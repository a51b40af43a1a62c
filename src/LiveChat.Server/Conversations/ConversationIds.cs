namespace LiveChat.Server.Conversations;

/// <summary>What a conversation id looks like: <c>c_</c> and 32 lowercase hex digits, made only by a visitor's start.</summary>
public static class ConversationIds
{
    public static string New() => $"c_{Guid.NewGuid():N}";

    public static bool IsWellFormed(string id) =>
        id.Length == 34 && id.StartsWith("c_", StringComparison.Ordinal) && !id.AsSpan(2).ContainsAnyExcept("0123456789abcdef");
}
