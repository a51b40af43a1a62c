using System.Diagnostics;
using System.Text.Json;
using LiveChat.LoadTests.Scenarios;

namespace LiveChat.LoadTests.Targets;

/// <summary>
/// A process of the suite itself (<c>storm-clients</c>) holding one share of a <c>connect-storm</c>'s visitors: it
/// arrives them on the storm's schedule, writes what it saw as one line (<c>result {json}</c>), answers <c>count</c> with
/// <c>connected N</c>, and closes its connections and exits when its input ends.
/// </summary>
public sealed class StormClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<StormShare> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<int>? _count;
    private Exception? _ended;
    private readonly List<string> _errors = [];

    private string LastErrors()
    {
        lock (_errors)
            return string.Join('\n', _errors.TakeLast(20));
    }

    private StormClientProcess(Process process) => _process = process;

    /// <summary>What this process's visitors saw, once they have all arrived (or failed to); a process that says nothing for 10 minutes has failed.</summary>
    public Task<StormShare> Result => _result.Task.WaitAsync(TimeSpan.FromMinutes(10));

    public static StormClientProcess Start(IReadOnlyList<Uri> nodes, int process, int processes, int visitors, TimeSpan within, bool connectOnly, DateTimeOffset startAt)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(typeof(StormClientProcess).Assembly.Location);
        foreach (var arg in new[]
                 {
                     "storm-clients", "--urls", string.Join(',', nodes), "--process", $"{process}", "--processes", $"{processes}",
                     "--visitors", $"{visitors}", "--within", $"{within.TotalSeconds}", "--start-at", $"{startAt.ToUnixTimeMilliseconds()}",
                 })
            info.ArgumentList.Add(arg);
        if (connectOnly)
            info.ArgumentList.Add("--connect-only");
        var started = new StormClientProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start a client process of the suite"));
        started.Listen();
        return started;
    }

    private void Listen()
    {
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                var ended = new InvalidOperationException($"client process {_process.Id} ended: {LastErrors()}");
                _result.TrySetException(ended);
                lock (_errors)
                {
                    _ended = ended;
                    _count?.TrySetException(ended);
                }
            }
            else if (e.Data.StartsWith("result ", StringComparison.Ordinal))
            {
                try
                {
                    _result.TrySetResult(JsonSerializer.Deserialize<StormShare>(e.Data["result ".Length..], StormShare.Json)!);
                }
                catch (JsonException ex)
                {
                    _result.TrySetException(ex);
                }
            }
            else if (e.Data.StartsWith("connected ", StringComparison.Ordinal) && int.TryParse(e.Data["connected ".Length..], out var connected))
                _count?.TrySetResult(connected);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_errors)
                    _errors.Add(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>How many of this process's connections are still open.</summary>
    public async Task<int> StillConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_errors)
        {
            _count = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_ended is not null)
                throw _ended;
        }
        await _process.StandardInput.WriteLineAsync("count");
        await _process.StandardInput.FlushAsync(cancellationToken);
        return await _count.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>Ends its input, so it closes its connections and exits; killed if it has not within 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception) when (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception)
        {
            // it ended on its own already
        }
        _process.Dispose();
    }
}
