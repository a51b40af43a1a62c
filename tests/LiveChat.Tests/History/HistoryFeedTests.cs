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
        var log = new RedisMessageLog(connection);
        var conversation = $"mark-{Guid.NewGuid():N}";
        var message = new ChatMessage(conversation, 1, Roles.Visitor, "v", "V", "hi", DateTimeOffset.UtcNow, "m1");

        await log.AppendAsync(LogStreams.Public(conversation), message);
        await log.AppendAsync(LogStreams.Public(conversation), message);
        await log.AppendAsync(LogStreams.Internal(conversation), message with { SenderRole = Roles.Agent, SenderId = "a", Kind = MessageKinds.Note });

        var db = connection.GetDatabase();
        Assert.Equal(1, await db.SortedSetScoreAsync(RedisHistoryFeed.AppendedKey, LogStreams.Public(conversation)));
        Assert.Equal(1, await db.SortedSetScoreAsync(RedisHistoryFeed.AppendedKey, LogStreams.Internal(conversation)));
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

        // The database goes away: the chat goes on, every send acknowledged as before.
        await postgres.StopAsync();
        for (var i = 2; i <= 6; i++)
            Assert.Equal(i, (await chat.Send($"o-{i}", $"message {i}")).Seq);

        await postgres.StartAsync();
        await Eventually.True(async () => await Kept(history, chat.Id) == 6, "the messages sent during the outage to be in the history", Within);
        var kept = await history.MessagesAsync(chat.Id);
        Assert.Equal(["first", "message 2", "message 3", "message 4", "message 5", "message 6"], kept.Select(m => m.Message.Text));
        Assert.Equal([1L, 2, 3, 4, 5, 6], kept.Select(m => m.Message.Seq));
        Assert.Equal(ConversationStatus.Queued, (await Archived(history, chat.Id))?.Status);
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
