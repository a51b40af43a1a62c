namespace LiveChat.Tests.EndToEnd;

/// <summary><c>LiveChat.Server healthcheck</c>, the container image's health check, run as the image runs it.</summary>
public sealed class HealthCheckCommandTests
{
    [Fact]
    public async Task SaysHealthyForANodeThatAnswersAndFailsForAnAddressWhereNoneDoes()
    {
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>());
        var (healthy, said) = await HealthCheck(new Uri(node.BaseAddress, "/healthz").ToString());
        Assert.Equal(0, healthy);
        Assert.StartsWith("200 Healthy", said);

        var (nobody, _) = await HealthCheck($"http://127.0.0.1:{FreePort.Next()}/healthz");
        Assert.Equal(1, nobody);
        var (wrong, error) = await HealthCheck("not a url");
        Assert.Equal(2, wrong);
        Assert.Contains("not an absolute URL", error);
    }

    private static async Task<(int ExitCode, string Output)> HealthCheck(string url)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "LiveChat.Server.dll"), "healthcheck", url })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await output + await errors);
    }
}
