namespace LiveChat.Server.Reliability;

/// <summary>
/// Sends a grain's message that must not be lost (a hand-back, a queue's notice) until its receiver answers: while the
/// receiver's node is dead and not yet evicted, when the answer did not come in time, or while Redis restarts. It waits
/// 500 ms after the first failure and twice as long after each next one, 5 s at most. The receiver must recognise a
/// repeat, and the sender keeps the message in its state until then, so a later activation sends it on.
/// </summary>
internal static class Resend
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(5);

    /// <param name="failed">Told of each failure and of the wait before the next try, to log it.</param>
    public static async Task UntilAnswered(Func<Task> send, TimeProvider time, Action<Exception, TimeSpan> failed)
    {
        var wait = FirstWait;
        while (true)
        {
            try
            {
                await send();
                return;
            }
            catch (Exception ex)
            {
                failed(ex, wait);
                await Task.Delay(wait, time);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestWait.Ticks));
            }
        }
    }
}
