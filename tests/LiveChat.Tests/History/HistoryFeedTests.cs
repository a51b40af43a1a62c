using LiveChat.Server.History;
using LiveChat.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace LiveChat.Tests.History;

/// <summary>
/// What a conversation says and becomes reaches the history by itself, each message once: on the embedded default, and
/// on Redis with PostgreSQL, through a database outage the chat never notices.
/// </summary>
public sealed class HistoryFeedTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const int Within = 30;

    [Fact]
    public async Task OnTheEmbeddedDefaultAChatAndItsCloseReachTheHistory()
    {
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>());
        var history = node.Services.GetRequiredService<IHistoryStore>();
        await using var chat = await node.StartVisitorChat("Hana", "support", "where is my parcel?");
        await chat.Send("h-2", "it was due on Monday");

        await Eventually.True(async () => (await Archived(history, chat.Id))?.Status == ConversationStatus.Queued, "the waiting chat to be in the history", Within);
        Assert.Equal(["where is my parcel?", "it was due on Monday"], (await history.MessagesAsync(chat.Id)).Select(m => m.Message.Text));

        await chat.Hub.InvokeAsync<ConversationView>("CloseConversation", chat.Id).WaitAsync(Clients.Timeout);
        await Eventually.True(async () => (await Archived(history, chat.Id))?.Status == ConversationStatus.Closed, "the close to be in the history", Within);
        var kept = await history.MessagesAsync(chat.Id);
        Assert.Equal(["where is my parcel?", "it was due on Monday", "Hana closed the conversation."], kept.Select(m => m.Message.Text));
        Assert.Equal([chat.Id], (await history.SearchAsync(new ArchiveQuery(Text: "parcel"))).Conversations.Select(c => c.Id));
    }

    [Fact]
    public async Task TheRedisAppendMarksItsStreamInTheSameStepAndARepeatDoesNot()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var log = new RedisMessageLog(connection, markForHistory: true);
        var conversation = $"mark-{Guid.NewGuid():N}";
        var message = new ChatMessage(conversation, 1, Roles.Visitor, "v", "V", "hi", DateTimeOffset.UtcNow, "m1");

        await log.AppendAsync(LogStreams.Public(conversation), message);
        await log.AppendAsync(LogStreams.Public(conversation), message);
        await log.AppendAsync(LogStreams.Internal(conversation), message with { SenderRole = Roles.Agent, SenderId = "a", Kind = MessageKinds.Note });

        var db = connection.GetDatabase();
        var visible = await db.SortedSetScoreAsync(RedisHistoryFeed.AppendedKey, LogStreams.Public(conversation));
        var staff = await db.SortedSetScoreAsync(RedisHistoryFeed.AppendedKey, LogStreams.Internal(conversation));
        // Each stream marked once (the repeat changed nothing), stamped in the order appended.
        Assert.NotNull(visible);
        Assert.NotNull(staff);
        Assert.True(staff > visible);
        Assert.Equal((double)(long)await db.StringGetAsync(RedisHistoryFeed.StampKey), staff);
        Assert.Null(await db.SortedSetScoreAsync(RedisHistoryFeed.ChangedKey, conversation));
    }

    [Fact]
    public async Task OnRedisWithoutPostgresNoHistoryIsKeptAndNothingIsMarked()
    {
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        await using var chat = await node.StartVisitorChat("Ida", "support", "hello");
        await chat.Send("i-2", "anyone?");

        Assert.Null(node.Services.GetService<IHistoryStore>());
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.Null(await connection.GetDatabase().SortedSetScoreAsync(RedisHistoryFeed.AppendedKey, LogStreams.Public(chat.Id)));
        Assert.Null(await connection.GetDatabase().SortedSetScoreAsync(RedisHistoryFeed.ChangedKey, chat.Id));
    }

    [Fact]
    public async Task OnRedisWithPostgresEveryMessageReachesTheHistoryOnceThroughADatabaseOutage()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["ConnectionStrings:Postgres"] = postgres.ConnectionString,
        });
        var history = node.Services.GetRequiredService<IHistoryStore>();
        await node.Services.GetRequiredService<HistorySchemaService>().Ready.WaitAsync(TimeSpan.FromSeconds(Within));
        await using var chat = await node.StartVisitorChat("Omar", "support", "first");
        await Eventually.True(async () => await Kept(history, chat.Id) == 1, "the first message to be in the history", Within);

        // The database goes away: the chat goes on, every send acknowledged as before, and the visitor leaves. One message
        // holds a NUL character, which PostgreSQL's text cannot: it must hold up nothing.
        await postgres.StopAsync();
        for (var i = 2; i <= 6; i++)
            Assert.Equal(i, (await chat.Send($"o-{i}", i == 4 ? "message\u00004" : $"message {i}")).Seq);
        await chat.Hub.InvokeAsync<ConversationView>("CloseConversation", chat.Id).WaitAsync(Clients.Timeout);

        await postgres.StartAsync();
        await Eventually.True(async () => await Kept(history, chat.Id) == 7, "what was said during the outage to be in the history", Within);
        var kept = await history.MessagesAsync(chat.Id);
        Assert.Equal(["first", "message 2", "message 3", "message\uFFFD4", "message 5", "message 6", "Omar closed the conversation."], kept.Select(m => m.Message.Text));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], kept.Select(m => m.Message.Seq));
        await Eventually.True(async () => (await Archived(history, chat.Id))?.Status == ConversationStatus.Closed, "the close during the outage to be in the history", Within);
    }

    [Fact]
    public async Task AMarkMadeAgainWhileTheArchiverWorkedIsKeptAndOneNodeAtATimeLeadsUntilItGivesUp()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var feed = new RedisHistoryFeed(connection);
        var (moved, still) = ($"moved-{Guid.NewGuid():N}", $"still-{Guid.NewGuid():N}");
        await feed.MarkAsync(moved);
        await feed.MarkAsync(still);
        var read = await feed.PendingAsync(1000);

        // A change while the archiver worked marks again: cleared with what was read, only the unchanged mark goes.
        await feed.MarkAsync(moved);
        await feed.ClearAsync(read);
        var left = (await feed.PendingAsync(1000)).Conversations.Select(m => m.Key).ToList();
        Assert.Contains(moved, left);
        Assert.DoesNotContain(still, left);

        // The lease as a node of another test left it (it lasts 15 s after its last round) is given up first.
        await connection.GetDatabase().KeyDeleteAsync("livechat:history:archiver");
        var lease = TimeSpan.FromSeconds(30);
        var (first, second) = ($"node-a-{Guid.NewGuid():N}", $"node-b-{Guid.NewGuid():N}");
        Assert.True(await feed.LeadAsync(first, lease));
        Assert.False(await feed.LeadAsync(second, lease));
        Assert.True(await feed.LeadAsync(first, lease));
        // Given up by another node, it stays; given up by its holder, the next node takes it at once.
        await feed.ReleaseAsync(second);
        Assert.False(await feed.LeadAsync(second, lease));
        await feed.ReleaseAsync(first);
        Assert.True(await feed.LeadAsync(second, lease));
        await feed.ReleaseAsync(second);
    }

    /// <summary>How many messages the history holds, or -1 while a pooled connection cut by the outage is found broken.</summary>
    private static async Task<int> Kept(IHistoryStore history, string id)
    {
        try
        {
            return (await history.MessagesAsync(id)).Count;
        }
        catch (Npgsql.NpgsqlException)
        {
            return -1;
        }
    }

    private static async Task<ArchivedConversation?> Archived(IHistoryStore history, string id) =>
        (await history.SearchAsync(new ArchiveQuery(Limit: ArchiveQuery.MaxLimit))).Conversations.FirstOrDefault(c => c.Id == id);
}
