using System.Net;
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
    private UserIndex? _index;

    /// <summary>
    /// The user whose password matches, or null (also for a disabled user). A plain password (Development only, as the
    /// demo users have) is accepted only from this machine: a development node reachable from elsewhere is no open door.
    /// </summary>
    public UserOptions? Verify(string username, string password, IPAddress? from = null)
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
        return environment.IsDevelopment() && from is not null && IPAddress.IsLoopback(from) && user.Password == password ? user : null;
    }

    /// <summary>
    /// Whether <paramref name="hash"/> has the shape of an ASP.NET Core Identity password hash (what hash-password
    /// makes): base64 of a version 3 hash (marker, PRF, iterations, salt length, salt, at least 16 bytes of key) or of a
    /// version 2 hash (49 bytes). A hash that lost characters to shell quoting fails here rather than at every sign-in.
    /// </summary>
    public static bool IsWellFormedHash(string hash)
    {
        var bytes = new byte[hash.Length];
        if (!Convert.TryFromBase64String(hash, bytes, out var length) || length == 0)
            return false;
        if (bytes[0] == 0x00)
            return length == 49;
        if (bytes[0] != 0x01 || length < 13)
            return false;
        var saltLength = (bytes[9] << 24) | (bytes[10] << 16) | (bytes[11] << 8) | bytes[12];
        return saltLength >= 8 && length - 13 - saltLength >= 16;
    }

    /// <summary>The configured user of that name who is not disabled, or null.</summary>
    public UserOptions? Find(string username) => Index.Find(username) is { Disabled: false } user ? user : null;

    /// <summary>Whether a token's user still exists, is not disabled and still has the token's role.</summary>
    public bool IsActive(string username, string role) => Find(username)?.Role == role;

    public static string Hash(string password) => new PasswordHasher<UserOptions>().HashPassword(new UserOptions(), password);

    /// <summary>
    /// The users by name, for the configuration as it is now: every staff hub call asks whether its user is still
    /// there, and a search through hundreds of users on each was 1% of a node's CPU on the chat path (issue 18).
    /// </summary>
    private UserIndex Index
    {
        get
        {
            var current = Current;
            return _index is { } index && ReferenceEquals(index.Options, current) ? index : _index = new UserIndex(current);
        }
    }

    private sealed class UserIndex(LiveChatOptions options)
    {
        private readonly Dictionary<string, UserOptions> _byName = Build(options.Users);

        public LiveChatOptions Options => options;

        public UserOptions? Find(string username) => _byName.GetValueOrDefault(username);

        // The first of a name wins, as LiveChatOptions.FindUser has it.
        private static Dictionary<string, UserOptions> Build(List<UserOptions> users)
        {
            var byName = new Dictionary<string, UserOptions>(users.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var user in users)
                byName.TryAdd(user.Username, user);
            return byName;
        }
    }

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
