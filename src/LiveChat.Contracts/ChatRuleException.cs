namespace LiveChat.Contracts;

/// <summary>
/// A request a grain refuses because it breaks a rule (not your conversation, no free capacity ...).
/// The message is written for the person who made the request; hubs pass it on as a HubException.
/// </summary>
[GenerateSerializer, Alias("ChatRuleException")]
public sealed class ChatRuleException : Exception
{
    public ChatRuleException() { }

    public ChatRuleException(string message) : base(message) { }
}
