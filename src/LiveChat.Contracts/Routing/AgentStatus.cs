namespace LiveChat.Contracts;

[GenerateSerializer, Alias("AgentStatus")]
public enum AgentStatus
{
    Offline,
    Online,
    Away,
}
