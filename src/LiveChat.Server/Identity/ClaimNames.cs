namespace LiveChat.Server.Identity;

/// <summary>The claims in LiveChat tokens, kept short (JWT names, no inbound mapping).</summary>
public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";

    /// <summary><c>true</c> in the token of a visitor whose site signed the session for a user it knows.</summary>
    public const string Verified = "verified";
}
