using LiveChat.Server.Options;
using Microsoft.AspNetCore.Identity;
using UserOptions = LiveChat.Server.Options.UserOptions;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Identity;

/// <summary>Checks agents' and supervisors' credentials against <c>LiveChat:Users</c>.</summary>
public sealed class UserDirectory(IOptions<LiveChatOptions> options, IHostEnvironment environment)
{
    private readonly PasswordHasher<UserOptions> _hasher = new();

    /// <summary>The user whose password matches, or null.</summary>
    public UserOptions? Verify(string username, string password)
    {
        var user = options.Value.FindUser(username);
        if (user is null)
        {
            // Hash anyway so an unknown name costs as long as a wrong password.
            _hasher.HashPassword(new UserOptions(), password);
            return null;
        }
        if (!string.IsNullOrEmpty(user.PasswordHash))
        {
            try
            {
                return _hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed ? user : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return environment.IsDevelopment() && user.Password == password ? user : null;
    }

    public static string Hash(string password) => new PasswordHasher<UserOptions>().HashPassword(new UserOptions(), password);
}
