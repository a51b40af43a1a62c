using System.Net;

namespace LiveChat.Testing;

/// <summary>A server started as its own process on a loopback port (a node, or the load suite's relay), so its CPU and memory are its own.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly TimestampedLog? _log;

    private ChildProcess(Process process, Uri baseAddress, TimestampedLog? log)
    {
        Process = process;
        BaseAddress = baseAddress;
        _log = log;
    }

    public Process Process { get; }

    public Uri BaseAddress { get; }

    /// <summary>
    /// Runs <c>dotnet {dll} {args}</c> and waits until <paramref name="readyPath"/> answers 200. With
    /// <paramref name="logFile"/>, every line the process writes is appended there after the UTC time it was read, so
    /// it can be set beside what happened to the process meanwhile (a restart appends to the same file).
    /// </summary>
    public static async Task<ChildProcess> StartAsync(string dll, IEnumerable<string> args, int port, string readyPath, IDictionary<string, string>? environment = null,
        string? logFile = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        var log = logFile is null ? null : new TimestampedLog(logFile);
        log?.Write($"=== dotnet {Path.GetFileName(dll)} {string.Join(' ', info.ArgumentList.Skip(1))}");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {dll}");
        log?.Write($"=== process {process.Id} started");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited with {process.ExitCode}:\n{string.Join('\n', output)}");
            try
            {
                if ((await http.GetAsync(readyPath)).StatusCode == HttpStatusCode.OK)
                    return new ChildProcess(process, baseAddress, log);
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                log?.Dispose();
                throw new TimeoutException($"{Path.GetFileName(dll)} did not answer {readyPath} within 60 s:\n{string.Join('\n', output)}");
            }
            await Task.Delay(200);
        }

        void Keep(string? line)
        {
            if (line is null)
                return;
            if (output.Count < 200)
                output.Enqueue(line);
            log?.Write(line);
        }
    }

    /// <summary>Kills the process at once (SIGKILL on Linux, as a crash would), if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _log?.Write($"=== process {Process.Id} ended{(Process.HasExited ? $" with {Process.ExitCode}" : "")}");
        Process.Dispose();
        _log?.Dispose();
    }
}
