namespace LiveChat.Tests.Infrastructure;

/// <summary>One LiveChat node as its own process, in Production on the tests' signing key, as an outsider would find it on the network.</summary>
public static class NodeProcess
{
    /// <summary>Starts the node on <paramref name="http"/> with <paramref name="settings"/> (environment variables) and waits for /healthz.</summary>
    public static Task<ChildProcess> StartAsync(int http, Dictionary<string, string> settings)
    {
        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        settings["LiveChat__Auth__SigningKey"] = TestUsers.SigningKey;
        return ChildProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "LiveChat.Server.dll"),
            ["--urls", $"http://127.0.0.1:{http}"], http, "/healthz", settings);
    }
}
