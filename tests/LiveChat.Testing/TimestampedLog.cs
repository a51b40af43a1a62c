namespace LiveChat.Testing;

/// <summary>
/// Lines in a file, each after the UTC time it was written, appended to (a restarted process goes on in the same
/// file), so a run's own events and the node logs can be set side by side.
/// </summary>
public sealed class TimestampedLog(string path) : IDisposable
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
