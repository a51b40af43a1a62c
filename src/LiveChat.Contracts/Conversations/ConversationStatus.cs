namespace LiveChat.Contracts;

[GenerateSerializer, Alias("ConversationStatus")]
public enum ConversationStatus
{
    Queued,
    Active,
    Closed,
}
