using StackExchange.Redis;

namespace LiveChat.Testing;

/// <summary>
/// A real redis-server on a free loopback port, with its append-only file in a temporary folder so a restart keeps
/// the data. Used by the Redis tests (every write fsynced, so a kill loses nothing acknowledged) and by the load suite
/// (fsynced every second, as Redis does by default). Fails with instructions when redis-server is not installed.
/// </summary>
public class RedisServer(bool fsyncAlways = true, string whoNeedsIt = "the Redis tests") : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("livechat-redis-").FullName;
    private Process? _process;

    public int Port { get; } = FreePort.Next();

    /// <summary>host:port, for <c>ConnectionStrings:Redis</c> or the load suite's <c>--redis</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public string ConnectionString => $"{Address},abortConnect=false";

    /// <summary>A started server; disposed again if it does not answer.</summary>
    public static async Task<RedisServer> StartNewAsync(bool fsyncAlways = true, string whoNeedsIt = "the Redis tests")
    {
        var redis = new RedisServer(fsyncAlways, whoNeedsIt);
        try
        {
            await redis.StartAsync();
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts redis-server (again, after <see cref="StopAsync"/>, on the same port and files) and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        var executable = Find() ?? throw new InvalidOperationException(
            $"redis-server is not installed, and {whoNeedsIt} need a real one. Install it with " +
            "'apt-get install -y redis-server' (the README's test command, ./test.sh, does this for you).");
        string[] fsync = fsyncAlways ? ["--appendfsync", "always"] : [];
        _process = Process.Start(new ProcessStartInfo(executable,
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _dir, "--appendonly", "yes", .. fsync, "--save", "", "--daemonize", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start redis-server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"{Address},connectTimeout=500");
                await probe.GetDatabase().PingAsync();
                return;
            }
            // Not listening yet, or still loading its data (a big append-only file takes a while).
            catch (RedisException) when (DateTime.UtcNow < deadline && !_process.HasExited)
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
            await using var admin = await ConnectionMultiplexer.ConnectAsync($"{Address},allowAdmin=true");
            admin.GetServer("127.0.0.1", Port).Shutdown(ShutdownMode.Always);
        }
        catch (RedisConnectionException)
        {
            // The shutdown drops the connection it was sent on.
        }
        if (!_process.WaitForExit(10_000))
            _process.Kill();
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Kills redis-server at once (SIGKILL, as a crash or an OOM kill would): what the append-only file had not
    /// fsynced is lost. <see cref="StartAsync"/> brings it back on the same port and files.
    /// </summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited)
            return;
        _process.Kill();
        _process.WaitForExit(10_000);
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Redis stops answering every client for <paramref name="pause"/> (<c>CLIENT PAUSE ALL</c>): commands wait and are
    /// served when it ends, as during a slow fsync, a failover or a stalled host. Returns at once.
    /// </summary>
    /// <summary>How many bytes this Redis has received from its clients so far (INFO stats, total_net_input_bytes).</summary>
    public async Task<long> BytesReceivedAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{Address},allowAdmin=true");
        var stats = (await admin.GetServers()[0].InfoAsync("stats")).SelectMany(g => g);
        return long.Parse(stats.Single(p => p.Key == "total_net_input_bytes").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task PauseAsync(TimeSpan pause)
    {
        var admin = await ConnectionMultiplexer.ConnectAsync($"{Address},allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", ((long)pause.TotalMilliseconds).ToString(), "ALL");
        // Closing the connection sends QUIT and waits for its answer, which the pause holds back too: closed once it is over.
        _ = Task.Delay(pause).ContinueWith(_ => admin.DisposeAsync().AsTask(), TaskScheduler.Default).Unwrap();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin")
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);
}
