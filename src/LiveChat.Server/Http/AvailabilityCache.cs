using System.Collections.Concurrent;

namespace LiveChat.Server.Http;

/// <summary>
/// The availability answer of each queue (with the active announcements), kept for a second: every widget asks on every
/// page view, anonymously, so a flood of asks costs the queue grain one call a second, not one each.
/// </summary>
public sealed class AvailabilityCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Answer> _answers = new(StringComparer.Ordinal);

    /// <summary>The queue's availability, at most <see cref="MaxAge"/> old; asks made meanwhile share one answer.</summary>
    public Task<QueueAvailability> Get(string queue)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            if (_answers.TryGetValue(queue, out var held) && now - held.At < MaxAge && !held.Failed)
                return held.Value.Value;
            // One new answer per queue however many ask at once: only the one stored is ever started.
            var made = new Answer(now, new Lazy<Task<QueueAvailability>>(() => Ask(queue)));
            if (held is null ? _answers.TryAdd(queue, made) : _answers.TryUpdate(queue, made, held))
                return made.Value.Value;
        }
    }

    private sealed record Answer(DateTimeOffset At, Lazy<Task<QueueAvailability>> Value)
    {
        public bool Failed => Value.IsValueCreated && (Value.Value.IsFaulted || Value.Value.IsCanceled);
    }

    private async Task<QueueAvailability> Ask(string queue)
    {
        var availability = await grains.GetGrain<IQueueGrain>(queue).GetAvailability();
        var announcements = await grains.GetGrain<IAnnouncementsGrain>(0).GetActive();
        return availability with { Announcements = announcements };
    }
}
