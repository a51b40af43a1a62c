using LiveChat.Server.Storage;

namespace LiveChat.Tests.Infrastructure;

/// <summary>
/// A message log that fails the appends a test planned (<see cref="Faults"/>), before or after applying them, and has
/// lost the messages a test says it lost.
/// </summary>
public sealed class FaultyMessageLog(IMessageLog log, Faults faults) : IMessageLog
{
    public async Task<ChatMessage?> AppendAsync(string stream, ChatMessage message)
    {
        var fault = faults.Take(Faults.Store.Log, $"{stream}/{message.ClientMessageId}");
        if (fault == FaultAt.BeforeApplied)
            throw Faults.Error(FaultAt.BeforeApplied, message.ClientMessageId);
        var stored = await log.AppendAsync(stream, message);
        if (fault == FaultAt.AfterApplied)
            throw Faults.Error(FaultAt.AfterApplied, message.ClientMessageId);
        return stored;
    }

    public async Task<ChatMessage?> FindAsync(string stream, string senderId, string clientMessageId) =>
        await log.FindAsync(stream, senderId, clientMessageId) is { } found && !faults.IsLost(stream, found.Seq) ? found : null;

    public async Task<IReadOnlyList<ChatMessage>> ReadAsync(string stream, long afterSeq, int limit) =>
        (await log.ReadAsync(stream, afterSeq, limit + 1)).Where(m => !faults.IsLost(stream, m.Seq)).Take(limit).ToList();

    public Task<long> GetLastSeqAsync(string stream) => log.GetLastSeqAsync(stream);
}
