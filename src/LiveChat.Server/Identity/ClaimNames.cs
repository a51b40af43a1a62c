namespace LiveChat.Server.Identity;

/// <summary>The claims in LiveChat tokens, kept short (JWT names, no inbound mapping).</summary>
public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";

    /// <summary><c>true</c> in the token of a visitor whose site signed the session for a user it knows.</summary>
    public const string Verified = "verified";

    /// <summary>In a staff token: the user's token version when it was made; signing out raises the version.</summary>
    public const string Version = "ver";

    /// <summary>In a staff token: when the user signed in (Unix seconds), kept through every renewal.</summary>
    public const string SignedInAt = "auth_time";
}
