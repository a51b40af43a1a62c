using System.Diagnostics;
using StackExchange.Redis;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, with its append-only file in a temporary folder so a restart
/// keeps the data. Fails with instructions when redis-server is not installed: these tests never skip.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("livechat-redis-").FullName;
    private Process? _process;

    public int Port { get; } = FreePort.Next();

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    public Task InitializeAsync() => StartAsync();

    public async Task StartAsync()
    {
        var executable = Find() ?? throw new InvalidOperationException(
            "redis-server is not installed, and the Redis tests need a real one. Install it with " +
            "'apt-get install -y redis-server' (the README's test command, ./test.sh, does this for you).");
        _process = Process.Start(new ProcessStartInfo(executable,
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=500");
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Shuts Redis down cleanly (its data stays in the append-only file).</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
            return;
        try
        {
            await using var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},allowAdmin=true");
            admin.GetServer("127.0.0.1", Port).Shutdown(ShutdownMode.Always);
        }
        catch (RedisConnectionException)
        {
            // The shutdown drops the connection it was sent on.
        }
        if (!_process.WaitForExit(10_000))
            _process.Kill();
        _process = null;
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin")
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);
}
