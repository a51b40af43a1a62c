namespace LiveChat.Contracts;

/// <summary>The messages visitors left for a queue (key: queue name) while nobody was online, newest first.</summary>
public interface IOfflineMessagesGrain : IGrainWithStringKey
{
    /// <summary>
    /// Keeps the message, or the same one left moments ago; null when the inbox is full of messages nobody has handled
    /// (the oldest handled one makes room otherwise: an unhandled one is never dropped).
    /// </summary>
    Task<OfflineMessage?> Leave(string name, string email, string text);

    Task<IReadOnlyList<OfflineMessage>> GetAll();

    /// <summary>How full the inbox is, and how many messages it refused for it.</summary>
    Task<OfflineInboxStatus> GetStatus();

    Task<OfflineMessage> MarkHandled(Caller caller, string id, bool handled);
}
