namespace LiveChat.Server.Visitors;

[GenerateSerializer, Alias("OfflineMessagesState")]
public sealed class OfflineMessagesState
{
    [Id(0)] public List<OfflineMessage> Messages { get; set; } = [];
}
