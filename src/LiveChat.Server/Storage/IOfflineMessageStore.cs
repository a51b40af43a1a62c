namespace LiveChat.Server.Storage;

/// <summary>
/// A queue's offline messages, each stored on its own: leaving one writes that one (and drops the one it replaces),
/// marking one handled rewrites that one, never the whole inbox. The inbox grain is the only writer of its queue's.
/// </summary>
public interface IOfflineMessageStore
{
    /// <summary>The queue's messages, newest first.</summary>
    Task<IReadOnlyList<OfflineMessage>> LoadAsync(string queue);

    /// <summary>Stores <paramref name="message"/> (a new one, or one changed) and, in the same write, drops <paramref name="dropped"/>.</summary>
    Task SaveAsync(OfflineMessage message, string? dropped = null);
}

/// <summary>On the embedded default, in this process.</summary>
public sealed class InMemoryOfflineMessageStore : IOfflineMessageStore
{
    private readonly Dictionary<string, Dictionary<string, OfflineMessage>> _queues = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<OfflineMessage>> LoadAsync(string queue)
    {
        lock (_queues)
            return Task.FromResult<IReadOnlyList<OfflineMessage>>(_queues.TryGetValue(queue, out var held)
                ? [.. held.Values.OrderByDescending(m => m.ReceivedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal)]
                : []);
    }

    public Task SaveAsync(OfflineMessage message, string? dropped = null)
    {
        lock (_queues)
        {
            if (!_queues.TryGetValue(message.Queue, out var held))
                _queues[message.Queue] = held = new Dictionary<string, OfflineMessage>(StringComparer.Ordinal);
            if (dropped is not null)
                held.Remove(dropped);
            held[message.Id] = message;
        }
        return Task.CompletedTask;
    }
}
