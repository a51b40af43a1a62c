using LiveChat.Server.Storage;

namespace LiveChat.Server.History;

/// <summary>
/// Keeps the history up to date from the marks (<see cref="IHistoryFeed"/>): once a second, on the one node that holds
/// the lease, it takes marks a batch at a time, asks each marked conversation's grain for what it stored (after any write
/// in progress), reads each marked log stream past what the history has, stores all of it in one batch, and clears the
/// marks that did not move meanwhile. Nothing here is on the live path: a database away for an hour leaves marks waiting,
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
    private const int BatchesPerRound = 25;
    private const int PageOfMessages = 500;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private readonly string _node = Guid.NewGuid().ToString("N");
    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (schema is not null)
                await schema.Ready.WaitAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(ex, "The history is not kept: its schema could not be brought up to date");
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            // A pause first: the node's silo may still be starting when this does.
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
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

    /// <summary>Takes marks until none is left or a round's share is done.</summary>
    public async Task RoundAsync(CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < BatchesPerRound; i++)
        {
            var marks = await feed.PendingAsync(Batch);
            if (marks.Count == 0)
                return;
            await KeepAsync(marks, cancellationToken);
            await feed.ClearAsync(marks);
            if (marks.Conversations.Count < Batch && marks.Streams.Count < Batch)
                return;
        }
    }

    /// <summary>The marked conversations as their grains stored them, and the marked streams' messages past what is kept, in one batch.</summary>
    private async Task KeepAsync(HistoryMarks marks, CancellationToken cancellationToken)
    {
        var snapshots = Task.WhenAll(marks.Conversations.Select(m => grains.GetGrain<IConversationGrain>(m.Key).Snapshot()));
        var streams = marks.Streams.Select(m => Stream(m.Key)).ToList();
        var kept = await store.LastSeqsAsync([.. streams.Select(s => s.ConversationId).Distinct(StringComparer.Ordinal)], cancellationToken);
        var messages = await Task.WhenAll(streams.Select(s => NewMessages(s.Name, s.Stream, kept.GetValueOrDefault((s.ConversationId, s.Stream)))));
        var conversations = (await snapshots).OfType<ConversationSnapshot>().Select(Archived).ToList();
        await store.RecordAsync(conversations, [.. messages.SelectMany(m => m)], cancellationToken);
    }

    private static (string Name, string ConversationId, ArchiveStream Stream) Stream(string name)
    {
        var (conversationId, isInternal) = LogStreams.Of(name);
        return (name, conversationId, isInternal ? ArchiveStream.Internal : ArchiveStream.Public);
    }

    private async Task<List<ArchivedMessage>> NewMessages(string name, ArchiveStream stream, long after)
    {
        var found = new List<ArchivedMessage>();
        while (true)
        {
            var page = await log.ReadAsync(name, after, PageOfMessages);
            found.AddRange(page.Select(m => new ArchivedMessage(stream, m)));
            if (page.Count < PageOfMessages)
                return found;
            after = page[^1].Seq;
        }
    }

    private static ArchivedConversation Archived(ConversationSnapshot snapshot)
    {
        var v = snapshot.View;
        return new ArchivedConversation(v.ConversationId, snapshot.Version, v.Queue, v.Status, v.Topic, v.VisitorId, v.VisitorName,
            v.VisitorEmail, v.VisitorVerified, v.AgentId, v.AgentName, v.CreatedAt, v.AssignedAt, v.FirstResponseSeconds, v.ClosedAt,
            v.ClosedReason, v.Rating?.Score, v.LastSeq);
    }
}
