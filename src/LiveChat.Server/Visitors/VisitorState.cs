namespace LiveChat.Server.Visitors;

[GenerateSerializer, Alias("VisitorState")]
public sealed class VisitorState
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string? Email { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public List<VisitorConversation> Conversations { get; set; } = [];
    [Id(4)] public bool Verified { get; set; }
    /// <summary>A conversation being started, stored before it is, so a retry of the start goes on with it instead of opening a second.</summary>
    [Id(5)] public VisitorConversation? Starting { get; set; }
}

[GenerateSerializer, Alias("VisitorConversation"), Immutable]
public sealed record VisitorConversation([property: Id(0)] string ConversationId, [property: Id(1)] string Queue);
