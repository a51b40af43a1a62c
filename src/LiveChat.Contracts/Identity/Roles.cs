namespace LiveChat.Contracts;

/// <summary>Who a participant is, as it appears on the wire (<c>senderRole</c>, <c>readerRole</c>, token role).</summary>
public static class Roles
{
    public const string Visitor = "visitor";
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
    public const string System = "system";
}
