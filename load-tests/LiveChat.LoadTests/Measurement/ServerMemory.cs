using System.Diagnostics;

namespace LiveChat.LoadTests.Measurement;

/// <summary>The server's working set, for what a crowd of clients costs it per head.</summary>
public static class ServerMemory
{
    /// <summary>The working set in MB, read a second after the last burst so that it has settled a little.</summary>
    public static async Task<double> SettledMb(Process process, CancellationToken cancellationToken = default)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        process.Refresh();
        return process.WorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>KB per head of what the working set grew by, from <paramref name="beforeMb"/> to <paramref name="afterMb"/>; 0 with nobody.</summary>
    public static double PerHeadKb(double beforeMb, double afterMb, int heads) =>
        heads == 0 ? 0 : Math.Max(0, afterMb - beforeMb) * 1024 / heads;
}
