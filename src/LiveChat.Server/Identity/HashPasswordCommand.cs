namespace LiveChat.Server.Identity;

/// <summary><c>LiveChat.Server hash-password [password]</c>: prints a hash for <c>LiveChat:Users:N:PasswordHash</c>.</summary>
internal static class HashPasswordCommand
{
    public static int Run(string[] args)
    {
        var password = args.Length > 0 ? args[0] : Console.In.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("usage: LiveChat.Server hash-password <password>   (or give the password on standard input)");
            return 2;
        }
        Console.WriteLine(UserDirectory.Hash(password));
        return 0;
    }
}
