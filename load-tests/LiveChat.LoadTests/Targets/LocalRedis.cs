using System.Diagnostics;
using StackExchange.Redis;

namespace LiveChat.LoadTests.Targets;

/// <summary>
/// A redis-server the suite starts for itself on a free loopback port, for a run whose conversations must outlive the
/// node (cold-start), or that several nodes share (<c>--nodes</c>). Its append-only file goes in a temporary folder, fsynced every second as Redis does by default.
/// </summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private LocalRedis(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Address = $"127.0.0.1:{port}";
    }

    /// <summary>The connection string for <c>--redis</c>.</summary>
    public string Address { get; }

    public static async Task<LocalRedis> StartAsync()
    {
        var executable = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin")
            .Select(folder => Path.Combine(folder, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("cold-start and --nodes need redis-server (apt-get install -y redis-server), or --redis with a running one");
        var folder = Directory.CreateTempSubdirectory("livechat-load-redis-").FullName;
        var port = ChildProcess.FreePort();
        var process = Process.Start(new ProcessStartInfo(executable,
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", folder, "--appendonly", "yes", "--save", "", "--daemonize", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var redis = new LocalRedis(process, folder, port);
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"{redis.Address},connectTimeout=500");
                await probe.GetDatabase().PingAsync();
                return redis;
            }
            catch (RedisConnectionException) when (Stopwatch.GetTimestamp() < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (RedisConnectionException)
            {
                await redis.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
