using LiveChat.Server.Options;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UserOptions = LiveChat.Server.Options.UserOptions;

namespace LiveChat.Server.Identity;

/// <summary>
/// Checks agents' and supervisors' credentials against <c>LiveChat:Users</c>, and whether a signed-in user may still
/// act. It reads the configuration as it is now (<see cref="IOptionsMonitor{TOptions}"/>), so a user disabled or
/// removed in a reloaded appsettings.json is refused from then on.
/// </summary>
public sealed class UserDirectory(IOptionsMonitor<LiveChatOptions> options, IHostEnvironment environment, ILogger<UserDirectory> logger)
{
    private readonly PasswordHasher<UserOptions> _hasher = new();
    private LiveChatOptions? _lastValid;
    private string? _lastError;

    /// <summary>The user whose password matches, or null (also for a disabled user).</summary>
    public UserOptions? Verify(string username, string password)
    {
        var user = Find(username);
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

    /// <summary>The configured user of that name who is not disabled, or null.</summary>
    public UserOptions? Find(string username) => Current.FindUser(username) is { Disabled: false } user ? user : null;

    /// <summary>Whether a token's user still exists, is not disabled and still has the token's role.</summary>
    public bool IsActive(string username, string role) => Find(username)?.Role == role;

    public static string Hash(string password) => new PasswordHasher<UserOptions>().HashPassword(new UserOptions(), password);

    /// <summary>
    /// The configuration as reloaded. A reload that fails validation would otherwise throw at every request; the last
    /// valid users stay in force until the file is fixed, and the error is logged once.
    /// </summary>
    private LiveChatOptions Current
    {
        get
        {
            try
            {
                return _lastValid = options.CurrentValue;
            }
            catch (OptionsValidationException error) when (_lastValid is { } last)
            {
                if (Interlocked.Exchange(ref _lastError, error.Message) != error.Message)
                    logger.LogError("The reloaded LiveChat configuration is not valid; the users stay as they were: {Error}", error.Message);
                return last;
            }
        }
    }
}
