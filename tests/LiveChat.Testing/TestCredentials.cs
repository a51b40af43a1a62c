namespace LiveChat.Testing;

/// <summary>The password every test user has, and the token signing key of every test node.</summary>
public static class TestCredentials
{
    public const string Password = "correct horse battery staple";
    public const string SigningKey = "test-signing-key-that-is-long-enough-for-hmac-sha256";
}
