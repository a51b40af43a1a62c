using LiveChat.Server.Identity;

namespace LiveChat.Tests.Infrastructure;

/// <summary>Configuration entries for users, the way an operator writes them (hashed passwords).</summary>
internal static class TestUsers
{
    public const string Password = TestCredentials.Password;
    public const string SigningKey = TestCredentials.SigningKey;

    // Hashing is deliberately slow; one hash serves every test user.
    private static readonly Lazy<string> PasswordHash = new(() => UserDirectory.Hash(Password));

    /// <summary>The display name <see cref="Add"/> gives a user: the username with a capital letter.</summary>
    public static string DisplayName(string username) => char.ToUpperInvariant(username[0]) + username[1..];

    public static void Add(IDictionary<string, string?> settings, int index, string username, string role = "agent", int max = 3, params string[] queues)
    {
        var at = $"LiveChat:Users:{index}";
        settings[$"{at}:Username"] = username;
        settings[$"{at}:DisplayName"] = DisplayName(username);
        settings[$"{at}:Role"] = role;
        settings[$"{at}:MaxConversations"] = max.ToString();
        settings[$"{at}:PasswordHash"] = PasswordHash.Value;
        for (var q = 0; q < queues.Length; q++)
            settings[$"{at}:Queues:{q}"] = queues[q];
    }
}
