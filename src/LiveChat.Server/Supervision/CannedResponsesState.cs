namespace LiveChat.Server.Supervision;

[GenerateSerializer, Alias("CannedResponsesState")]
public sealed class CannedResponsesState
{
    [Id(0)] public List<CannedResponse> Responses { get; set; } = [];
}
