using LiveChat.Server.Storage;

namespace LiveChat.Server.History;

/// <summary>
/// Keeps the history up to date from the marks (<see cref="IHistoryFeed"/>): once a second, on the one node that holds
/// the lease, it takes the oldest marks a batch at a time, asks each marked conversation's grain for what it stored (after
/// any write in progress), reads each marked log stream past what the history has (a page at most), stores all of it in
/// one batch, and clears the marks that are done and did not move meanwhile. Nothing here is on the live path: a database away for an hour leaves marks waiting,
/// one per conversation, and they are all taken once it answers.
/// </summary>
public sealed class HistoryArchiver(
    IHistoryFeed feed,
    IHistoryStore store,
    IMessageLog log,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<HistoryArchiver> logger,
    HistorySchemaService? schema = null) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private const int Batch = 200;
    // At most this many messages of a stream in a batch, so a batch stays small whatever waited during an outage.
    private const int PageOfMessages = 200;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private readonly string _node = Guid.NewGuid().ToString("N");
    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The schema first (its service tries until it is made; cancelled when the node stops), then a round a tick, the
        // first a tick after start: the node's silo may still be starting when this does.
        if (schema is not null)
            await schema.Ready.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await feed.LeadAsync(_node, Lease))
                    await RoundAsync(stoppingToken);
                if (_failures > 0)
                    logger.LogInformation("The history is being kept again");
                _failures = 0;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Said once, then every minute or so while it lasts; the marks wait.
                if (_failures++ % 60 == 0)
                    logger.LogWarning("The history could not be brought up to date, trying again (the chat goes on): {Error}", ex.Message);
            }
        }
    }

    /// <summary>On a clean stop the lease goes at once, so another node keeps the history without waiting for it to run out.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await feed.ReleaseAsync(_node);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "The history's lease was not given up; it runs out by itself");
        }
    }

    /// <summary>
    /// Takes marks until none is left or the round's time is up (a third of the lease, renewed before each batch: a node
    /// that lost it stops at once, so two nodes never work the same marks for long).
    /// </summary>
    public async Task RoundAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < Lease / 3 && await feed.LeadAsync(_node, Lease))
        {
            var marks = await feed.PendingAsync(Batch);
            if (marks.Count == 0)
                return;
            var done = await KeepAsync(marks, cancellationToken);
            await feed.ClearAsync(done);
            if (marks.Conversations.Count < Batch && marks.Streams.Count < Batch)
                return;
        }
    }

    /// <summary>
    /// The marked conversations as their grains stored them, and the marked streams' next messages past what is kept, in
    /// one batch; returns the marks that are done. A conversation whose grain did not answer, and a stream with more to
    /// read than one page, keep their marks for the next batch, so one of them never holds up the rest.
    /// </summary>
    private async Task<HistoryMarks> KeepAsync(HistoryMarks marks, CancellationToken cancellationToken)
    {
        var snapshots = Task.WhenAll(marks.Conversations.Select(m => Snapshot(m.Key)));
        var streams = marks.Streams.Select(m => Stream(m.Key)).ToList();
        var kept = await store.LastSeqsAsync([.. streams.Select(s => s.ConversationId).Distinct(StringComparer.Ordinal)], cancellationToken);
        var pages = await Task.WhenAll(streams.Select(s =>
            log.ReadAsync(s.Name, kept.GetValueOrDefault((s.ConversationId, s.Stream)), PageOfMessages)));
        var answered = await snapshots;
        var conversations = answered.Where(a => a.Answered && a.Snapshot is not null).Select(a => Archived(a.Snapshot!)).ToList();
        var messages = streams.Zip(pages).SelectMany(p => p.Second.Select(m => new ArchivedMessage(p.First.Stream, m))).ToList();
        await store.RecordAsync(conversations, messages, cancellationToken);
        return new HistoryMarks(
            [.. marks.Conversations.Where((_, i) => answered[i].Answered)],
            [.. marks.Streams.Where((_, i) => pages[i].Count < PageOfMessages)]);
    }

    /// <summary>What the grain stored (null for no conversation), or not answered: its mark then waits for the next batch.</summary>
    private async Task<(bool Answered, ConversationSnapshot? Snapshot)> Snapshot(string conversationId)
    {
        try
        {
            return (true, await grains.GetGrain<IConversationGrain>(conversationId).Snapshot());
        }
        catch (Exception ex)
        {
            logger.LogWarning("Conversation {ConversationId} did not give the history its state; tried again later: {Error}", conversationId, ex.Message);
            return (false, null);
        }
    }

    private static (string Name, string ConversationId, ArchiveStream Stream) Stream(string name)
    {
        var (conversationId, isInternal) = LogStreams.Of(name);
        return (name, conversationId, isInternal ? ArchiveStream.Internal : ArchiveStream.Public);
    }

    private static ArchivedConversation Archived(ConversationSnapshot snapshot)
    {
        var v = snapshot.View;
        return new ArchivedConversation(v.ConversationId, snapshot.Version, v.Queue, v.Status, v.Topic, v.VisitorId, v.VisitorName,
            v.VisitorEmail, v.VisitorVerified, v.AgentId, v.AgentName, v.CreatedAt, v.AssignedAt, v.FirstResponseSeconds, v.ClosedAt,
            v.ClosedReason, v.Rating?.Score, v.LastSeq);
    }
}
