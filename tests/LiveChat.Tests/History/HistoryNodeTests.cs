using LiveChat.Server.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace LiveChat.Tests.History;

/// <summary>
/// A node keeps its history in PostgreSQL when <c>ConnectionStrings:Postgres</c> is set, and a database that is away
/// when the node starts holds up neither the node nor a chat: the schema is made once the database answers, and what
/// was said meanwhile reaches it then.
/// </summary>
public sealed class HistoryNodeTests
{
    [Fact]
    public async Task ANodeWhoseDatabaseIsAwayStillServesChatsAndMakesTheSchemaOnceItAnswers()
    {
        await using var postgres = PostgresServer.Create();
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = postgres.ConnectionString });
        Assert.IsType<PostgresHistoryStore>(node.Services.GetRequiredService<IHistoryStore>());
        var schema = node.Services.GetRequiredService<HistorySchemaService>();

        // PostgreSQL is not running: a visitor still starts a chat and is answered.
        await using var chat = await node.StartVisitorChat("Early", "support", "is anyone there?");
        Assert.Equal(ConversationStatus.Queued, chat.View.Status);
        Assert.False(schema.Ready.IsCompleted);

        await postgres.StartAsync();
        await schema.Ready.WaitAsync(TimeSpan.FromSeconds(60));
        await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var applied = database.CreateCommand("SELECT count(*) FROM livechat_schema");
        Assert.Equal((long)HistorySchema.Migrations.Count, await applied.ExecuteScalarAsync());

        // What was said while the database was away reaches it now.
        var history = node.Services.GetRequiredService<IHistoryStore>();
        await Eventually.True(async () => (await history.MessagesAsync(chat.Id)).Count == 1, "the early message to reach the history", 30);
        Assert.Equal("is anyone there?", (await history.MessagesAsync(chat.Id))[0].Message.Text);
    }

    [Fact]
    public async Task ADatabaseThatRefusesIsTriedAgainUntilItIsFixed()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        // A database that is not there: not an outage to wait out, a mistake someone fixes.
        var missing = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "livechat_later" }.ConnectionString;
        await using var database = NpgsqlDataSource.Create(missing);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var schema = new HistorySchemaService(database, time, NullLogger<HistorySchemaService>.Instance);
        await schema.StartAsync(CancellationToken.None);

        await using (var admin = NpgsqlDataSource.Create(postgres.ConnectionString))
        await using (var create = admin.CreateCommand("CREATE DATABASE livechat_later"))
            await create.ExecuteNonQueryAsync();
        // Minutes pass (the clock is the test's): the schema is made without a restart.
        await Eventually.True(() =>
        {
            time.Advance(TimeSpan.FromMinutes(5));
            return Task.FromResult(schema.Ready.IsCompletedSuccessfully);
        }, "the schema to be made once the database exists", 30);
        await schema.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task TheEmbeddedDefaultKeepsItsHistoryInMemory()
    {
        await using var node = await LiveChatTestServer.StartAsync(new Dictionary<string, string?>());
        Assert.IsType<InMemoryHistoryStore>(node.Services.GetRequiredService<IHistoryStore>());
    }
}
