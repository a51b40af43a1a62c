using System.Diagnostics;

namespace LiveChat.LoadTests.Measurement;

/// <summary>Samples a process's CPU (percent of one core) and working set twice a second.</summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<double> _cpu = [];
    private long _peakBytes;

    public ProcessSampler(Process process) => _loop = Sample(process);

    public double AverageCpuPercent => _cpu.Count == 0 ? 0 : _cpu.Average();
    public double PeakMemoryMb => _peakBytes / 1024.0 / 1024.0;
    public double LastMemoryMb { get; private set; }

    private async Task Sample(Process process)
    {
        process.Refresh();
        var lastCpu = process.TotalProcessorTime;
        var last = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                process.Refresh();
                if (process.HasExited)
                    return;
                var cpu = process.TotalProcessorTime;
                var now = Stopwatch.GetTimestamp();
                _cpu.Add((cpu - lastCpu).TotalMilliseconds / Stopwatch.GetElapsedTime(last, now).TotalMilliseconds * 100);
                (lastCpu, last) = (cpu, now);
                LastMemoryMb = process.WorkingSet64 / 1024.0 / 1024.0;
                _peakBytes = Math.Max(_peakBytes, process.WorkingSet64);
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
