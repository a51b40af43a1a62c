namespace LiveChat.LoadTests.Reporting;

/// <summary>
/// A run's own events in a file of its report folder (faults, reconnects, refusals), each line after its UTC time, so
/// they can be set beside the node logs, which carry the same kind of time.
/// </summary>
public sealed class RunLog(string path) : IDisposable
{
    private readonly StreamWriter _writer = new(path, append: true) { AutoFlush = true };
    private readonly Lock _lock = new();
    private bool _closed;

    public void Write(string line)
    {
        lock (_lock)
            if (!_closed)
                _writer.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss.fff} {line}");
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}
