namespace LiveChat.Server.Identity;

/// <summary>Authorization policies, one per hub.</summary>
public static class Policies
{
    public const string Visitor = "visitor";
    public const string Agent = "agent";
    public const string Supervisor = "supervisor";
}
