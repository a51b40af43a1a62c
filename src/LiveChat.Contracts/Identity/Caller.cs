namespace LiveChat.Contracts;

/// <summary>The signed-in participant on whose behalf a hub calls a grain, taken from their token.</summary>
[GenerateSerializer, Alias("Caller"), Immutable]
public sealed record Caller(
    [property: Id(0)] string Role,
    [property: Id(1)] string Id,
    [property: Id(2)] string Name)
{
    public bool IsVisitor => Role == Roles.Visitor;
    public bool IsSupervisor => Role == Roles.Supervisor;
}
