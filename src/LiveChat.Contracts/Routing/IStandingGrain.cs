using Orleans.Concurrency;

namespace LiveChat.Contracts;

/// <summary>
/// A grain whose work runs on its own timers (a queue's dispatch and agent refresh, the dashboard's samples,
/// announcements' expiry), so it must be active even while nobody calls it. Every node wakes these now and then:
/// an activation is lost when its node dies, or the node holding its directory entry, and only a call brings it back.
/// </summary>
public interface IStandingGrain : IGrain
{
    /// <summary>Does nothing: being called activates the grain if it is not active. Interleaves, as it touches nothing.</summary>
    [AlwaysInterleave]
    Task Wake();
}
