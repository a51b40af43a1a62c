using LiveChat.Server.Reliability;
using LiveChat.Server.Notifications;
using LiveChat.Server.Storage;
using LiveChat.Server.Visitors;

namespace LiveChat.Server.Announcements;

/// <summary>
/// The active announcements. Publishing one sends it to every connected visitor, agent and supervisor on every node
/// (the SignalR backplane carries it); visitors who connect later get the active ones from their hub on connect.
/// An announcement ends when withdrawn or at its expiry, which a timer turns into a withdrawal clients see.
/// </summary>
[KeepAlive]
public sealed class AnnouncementsGrain(
    [PersistentState(StorageNames.AnnouncementsState, StorageNames.Grains)] IPersistentState<AnnouncementsState> state,
    INotifier notifier,
    TimeProvider time,
    ILogger<AnnouncementsGrain> logger) : Grain, IAnnouncementsGrain
{
    public const int MaxTextLength = 500;
    public const int MaxActive = 20;
    public const int DefaultMinutes = 60;
    public const int MaxMinutes = 7 * 24 * 60;

    private IGrainTimer? _expiry;

    private List<Announcement> Active => state.State.Active;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => await Expire();

    public Task Wake() => Task.CompletedTask;

    public async Task<Announcement> Publish(Caller caller, AnnouncementRequest request)
    {
        EnsureSupervisor(caller);
        var text = request.Text?.Trim() ?? "";
        if (text.Length == 0)
            throw new ChatRuleException("announcement text is empty");
        if (text.Length > MaxTextLength)
            throw new ChatRuleException($"announcement too long: {text.Length} > {MaxTextLength} characters");
        var severity = request.Severity?.Trim().ToLowerInvariant() ?? AnnouncementSeverities.Info;
        if (!AnnouncementSeverities.All.Contains(severity))
            throw new ChatRuleException($"unknown severity '{VisitorFields.Shorten(request.Severity ?? "")}': use {string.Join(", ", AnnouncementSeverities.All)}");
        var minutes = request.ExpiresInMinutes ?? DefaultMinutes;
        if (minutes is < 1 or > MaxMinutes)
            throw new ChatRuleException($"expiresInMinutes must be from 1 to {MaxMinutes}, not {minutes}");
        await Expire();
        // Published again because its answer was lost (the node, or the console, sent it again): the same announcement,
        // shown again, as its first showing may not have happened; clients know it by its id.
        if (Active.Find(a => a.PublishedBy == caller.Id && a.Text == text && a.Severity == severity) is { } repeat)
        {
            await Broadcast(c => c.AnnouncementPublished(repeat));
            return repeat;
        }
        if (Active.Count >= MaxActive)
            throw new ChatRuleException($"there are already {MaxActive} active announcements; withdraw one first");

        var now = time.GetUtcNow();
        var announcement = new Announcement($"an_{Guid.NewGuid():N}", text, severity, now, now.AddMinutes(minutes), caller.Id);
        Active.Add(announcement);
        await state.Save(this);
        logger.LogInformation("Announcement {Id} published by {Supervisor} until {ExpiresAt}", announcement.Id, caller.Id, announcement.ExpiresAt);
        await Broadcast(c => c.AnnouncementPublished(announcement));
        ScheduleExpiry();
        return announcement;
    }

    public async Task Withdraw(Caller caller, string id)
    {
        EnsureSupervisor(caller);
        if (Active.RemoveAll(a => a.Id == id) == 0)
            throw new ChatRuleException($"no active announcement {id}");
        await state.Save(this);
        await Broadcast(c => c.AnnouncementWithdrawn(id));
        ScheduleExpiry();
    }

    public Task<IReadOnlyList<Announcement>> GetActive()
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<Announcement>>(Active.Where(a => a.ExpiresAt > now).ToList());
    }

    /// <summary>Drops what has expired, tells clients, and sets the timer for the next expiry.</summary>
    private async Task Expire()
    {
        var now = time.GetUtcNow();
        var expired = Active.Where(a => a.ExpiresAt <= now).ToList();
        if (expired.Count > 0)
        {
            Active.RemoveAll(expired.Contains);
            await state.Save(this);
            foreach (var announcement in expired)
                await Broadcast(c => c.AnnouncementWithdrawn(announcement.Id));
        }
        ScheduleExpiry();
    }

    private void ScheduleExpiry()
    {
        _expiry?.Dispose();
        _expiry = null;
        if (Active.Count == 0)
            return;
        var due = Active.Min(a => a.ExpiresAt) - time.GetUtcNow();
        _expiry = this.RegisterGrainTimer(_ => Expire(), new GrainTimerCreationOptions
        {
            DueTime = due < TimeSpan.Zero ? TimeSpan.Zero : due,
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    /// <summary>Sends the event to every visitor, agent and supervisor connection.</summary>
    private async Task Broadcast(Func<IAnnouncementClient, Task> send)
    {
        try
        {
            await send(notifier.Everyone());
        }
        catch (Exception ex)
        {
            // Clients that missed it still get it on their next connect.
            logger.LogWarning(ex, "Announcement broadcast failed");
        }
    }

    private static void EnsureSupervisor(Caller caller)
    {
        if (!caller.IsSupervisor)
            throw new ChatRuleException("only a supervisor can publish or withdraw announcements");
    }
}
