using Orleans.Concurrency;

namespace LiveChat.Contracts;

/// <summary>The active announcements (one activation, key 0): published to every visitor at once and on connect.</summary>
public interface IAnnouncementsGrain : IGrainWithIntegerKey, IStandingGrain
{
    Task<Announcement> Publish(Caller caller, AnnouncementRequest request);

    Task Withdraw(Caller caller, string id);

    /// <summary>The announcements not yet expired or withdrawn, oldest first. Read on every visitor connect, so it interleaves.</summary>
    [ReadOnly]
    Task<IReadOnlyList<Announcement>> GetActive();
}
