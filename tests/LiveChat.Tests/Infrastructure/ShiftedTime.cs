namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// The system clock moved forward by <see cref="Shift"/>: a test jumps past an expiry without sleeping. Timers and
/// timestamps still run at the real pace, so the node's background work carries on as usual.
/// </summary>
public sealed class ShiftedTime : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
}
