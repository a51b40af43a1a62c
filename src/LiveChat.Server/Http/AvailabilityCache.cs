using System.Collections.Concurrent;

namespace LiveChat.Server.Http;

/// <summary>
/// The availability answer of each queue (with the active announcements), kept for a second: every widget asks on every
/// page view, anonymously, so a flood of asks costs the queue grain one call a second, not one each.
/// </summary>
public sealed class AvailabilityCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<QueueAvailability> Answer)> _answers = new(StringComparer.Ordinal);

    /// <summary>The queue's availability, at most <see cref="MaxAge"/> old; asks made meanwhile share one answer.</summary>
    public Task<QueueAvailability> Get(string queue)
    {
        var now = time.GetUtcNow();
        if (_answers.TryGetValue(queue, out var held) && now - held.At < MaxAge && !held.Answer.IsFaulted && !held.Answer.IsCanceled)
            return held.Answer;
        var answer = Ask(queue);
        _answers[queue] = (now, answer);
        return answer;
    }

    private async Task<QueueAvailability> Ask(string queue)
    {
        var availability = await grains.GetGrain<IQueueGrain>(queue).GetAvailability();
        var announcements = await grains.GetGrain<IAnnouncementsGrain>(0).GetActive();
        return availability with { Announcements = announcements };
    }
}
