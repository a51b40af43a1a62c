namespace LiveChat.Contracts;

/// <summary>The messages visitors left for a queue (key: queue name) while nobody was online, newest first.</summary>
public interface IOfflineMessagesGrain : IGrainWithStringKey
{
    Task<OfflineMessage> Leave(string name, string email, string text);

    Task<IReadOnlyList<OfflineMessage>> GetAll();

    Task<OfflineMessage> MarkHandled(Caller caller, string id, bool handled);
}
