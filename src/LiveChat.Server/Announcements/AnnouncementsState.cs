namespace LiveChat.Server.Announcements;

[GenerateSerializer, Alias("AnnouncementsState")]
public sealed class AnnouncementsState
{
    [Id(0)] public List<Announcement> Active { get; set; } = [];
}
