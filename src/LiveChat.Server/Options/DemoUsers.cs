namespace LiveChat.Server.Options;

/// <summary>The users a Development run gets when none are configured, so a first run can be tried at once.</summary>
internal static class DemoUsers
{
    public const string Password = "demo";

    public static readonly IReadOnlyList<UserOptions> All =
    [
        new() { Username = "alice", DisplayName = "Alice", Role = "agent", Password = Password },
        new() { Username = "bob", DisplayName = "Bob", Role = "agent", Password = Password },
        new() { Username = "sam", DisplayName = "Sam", Role = "supervisor", Password = Password },
    ];
}
