using Npgsql;

namespace LiveChat.Testing;

/// <summary>
/// A real PostgreSQL server on a free loopback port, its cluster in a temporary folder, started for a fixture and removed
/// with it. PostgreSQL refuses to run as root, so as root the server and its tools run as the <c>postgres</c> system user
/// (Debian's package creates it) through <c>runuser</c>. Durability is traded for speed (no fsync): a test that needs a
/// crash to keep what was committed must not use this one. Fails with instructions when PostgreSQL is not installed.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SystemUser = "postgres";
    private readonly string _dir = Directory.CreateTempSubdirectory("livechat-pg-").FullName;
    private readonly string _bin;
    private readonly Queue<string> _log = new();
    private Process? _process;
    private int _databases;

    private PostgresServer(string bin) => _bin = bin;

    public int Port { get; } = FreePort.Next();

    /// <summary>The server's own <c>postgres</c> database, as its superuser.</summary>
    public string ConnectionString => Connection("postgres");

    private string DataDir => Path.Combine(_dir, "data");

    private static bool AsRoot => Environment.IsPrivilegedProcess;

    /// <summary>A server with its port chosen, not started yet (<see cref="StartAsync"/>): for a node that starts before its database.</summary>
    public static PostgresServer Create(string whoNeedsIt = "the PostgreSQL tests") =>
        new(FindBin() ?? throw new InvalidOperationException(
            $"PostgreSQL is not installed, and {whoNeedsIt} need a real server. Install it with " +
            "'apt-get install -y postgresql' (the README's test command, ./test.sh, does this for you)."));

    /// <summary>A started server that answers; removed again if it does not.</summary>
    public static async Task<PostgresServer> StartNewAsync(string whoNeedsIt = "the PostgreSQL tests")
    {
        var server = Create(whoNeedsIt);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new, empty database of its own, for a test that must not see another's rows; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"livechat_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return Connection(name);
    }

    /// <summary>Stops the server, as an outage would (its sessions cut); <see cref="StartAsync"/> brings it back with its data.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            await Tool("pg_ctl", ["stop", "-D", DataDir, "-m", "fast", "-w", "-t", "20"], check: false);
            if (!_process.WaitForExit(20_000))
                _process.Kill(entireProcessTree: true);
        }
        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file the server was still closing: the temporary folder goes with the machine's next clean-up.
        }
    }

    /// <summary>
    /// Makes the cluster (the first time) and starts the server, returning once it accepts connections: again after
    /// <see cref="StopAsync"/>, on the same port and data.
    /// </summary>
    public async Task StartAsync()
    {
        if (!Directory.Exists(DataDir))
        {
            if (AsRoot)
                await Run("chown", ["-R", $"{SystemUser}:{SystemUser}", _dir]);
            await Tool("initdb", ["-D", DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale", "C", "--no-sync"]);
        }
        _process = Process.Start(Command(Path.Combine(_bin, "postgres"),
            ["-D", DataDir, "-p", Port.ToString(), "-c", "listen_addresses=127.0.0.1", "-k", _dir,
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]))
            ?? throw new InvalidOperationException("could not start postgres");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var probe = new NpgsqlConnection(ConnectionString + ";Pooling=false;Timeout=2");
                await probe.OpenAsync();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Exception ex) when (_process.HasExited || DateTime.UtcNow >= deadline)
            {
                string log;
                lock (_log)
                    log = string.Join('\n', _log);
                throw new InvalidOperationException($"PostgreSQL did not start on port {Port}. Its last words:\n{log}", ex);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_log)
        {
            _log.Enqueue(line);
            if (_log.Count > 40)
                _log.Dequeue();
        }
    }

    private string Connection(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}";

    /// <summary>One of PostgreSQL's own programs, run as the system user when this process is root.</summary>
    private Task Tool(string name, IReadOnlyList<string> arguments, bool check = true) =>
        Run(Path.Combine(_bin, name), arguments, check, asServerUser: true);

    private static async Task Run(string program, IReadOnlyList<string> arguments, bool check = true, bool asServerUser = false)
    {
        var start = asServerUser ? Command(program, arguments) : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await errors}{await output}");
    }

    private static ProcessStartInfo Command(string program, IReadOnlyList<string> arguments)
    {
        var start = AsRoot
            ? new ProcessStartInfo("runuser", ["-u", SystemUser, "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // The system user may not enter the caller's folder (/root is 0700), and PostgreSQL refuses to start there.
        start.WorkingDirectory = Path.GetTempPath();
        return start;
    }

    /// <summary>Debian keeps the server's programs off the PATH, one folder per major version; the newest is taken.</summary>
    private static string? FindBin()
    {
        if (Environment.GetEnvironmentVariable("POSTGRES_BIN") is { Length: > 0 } configured)
            return configured;
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Dir, "bin", "postgres")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
                return Path.Combine(newest.Dir, "bin");
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")));
    }
}
