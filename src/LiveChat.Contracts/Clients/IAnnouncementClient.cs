namespace LiveChat.Contracts;

/// <summary>Announcement events, which every hub's connections receive.</summary>
public interface IAnnouncementClient
{
    /// <summary>Sent to every connection when published, and to visitor and agent connections on connect for each one still active.</summary>
    Task AnnouncementPublished(Announcement announcement);
    Task AnnouncementWithdrawn(string announcementId);
}
