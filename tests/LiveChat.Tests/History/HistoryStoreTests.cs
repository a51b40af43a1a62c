using LiveChat.Server.History;
using Npgsql;

namespace LiveChat.Tests.History;

/// <summary>
/// The history store, in a real PostgreSQL and in memory alike: what is fed twice is stored once, an older state of a
/// conversation never replaces a newer one, and the archive finds conversations by their filters and the words of
/// their messages.
/// </summary>
public sealed class HistoryStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly List<NpgsqlDataSource> _databases = [];

    public static TheoryData<string> Stores => new() { "postgres", "memory" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task WhatIsFedTwiceIsStoredOnceAndAnOlderStateNeverReplacesANewerOne(string kind)
    {
        var store = await Store(kind);
        var closed = Conversation("c1", version: 5, ConversationStatus.Closed, agent: "alice") with { Rating = 4, ClosedAt = Day.AddMinutes(9) };
        var messages = new[] { Message("c1", 1, "hello"), Message("c1", 2, "my order is late"), Whisper("c1", 1, "be kind") };

        await store.RecordAsync([closed], messages);
        // The same batch again, as after a crash before it was acknowledged, and an older state arriving late.
        await store.RecordAsync([closed], messages);
        await store.RecordAsync([Conversation("c1", version: 3, ConversationStatus.Active, agent: "alice")], [Message("c1", 2, "changed?")]);

        var page = await store.SearchAsync(new ArchiveQuery());
        var stored = Assert.Single(page.Conversations);
        Assert.Equal(closed, stored);
        Assert.Equal(1, page.Total);
        var kept = await store.MessagesAsync("c1");
        Assert.Equal(
            [(ArchiveStream.Public, 1L, "hello"), (ArchiveStream.Public, 2L, "my order is late"), (ArchiveStream.Internal, 1L, "be kind")],
            kept.Select(m => (m.Stream, m.Message.Seq, m.Message.Text)));
        Assert.Equal(messages.Select(m => m.Message), kept.Select(m => m.Message));

        // A newer state replaces it.
        await store.RecordAsync([closed with { Version = 6, Rating = 5 }], []);
        Assert.Equal(5, Assert.Single((await store.SearchAsync(new ArchiveQuery())).Conversations).Rating);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TheArchiveFindsConversationsByFilterAndByWholeWordsOfAnyMessageNewestFirst(string kind)
    {
        var store = await Store(kind);
        // Ten conversations an hour apart: queues alternate, two agents take turns, every third is closed.
        var conversations = Enumerable.Range(0, 10).Select(i => Conversation($"c{i}", 1,
            i % 3 == 0 ? ConversationStatus.Closed : ConversationStatus.Active, agent: i % 2 == 0 ? "alice" : "bob",
            queue: i % 2 == 0 ? "support" : "sales", createdAt: Day.AddHours(i))).ToList();
        var messages = conversations.SelectMany(c => new[]
        {
            Message(c.Id, 1, c.Id == "c4" ? "The REFUND never arrived" : "hello there"),
            Message(c.Id, 2, c.Id == "c7" ? "Rückerstattung bitte, \u201crefund\u201d\u00a0now" : c.Id == "c5" ? "write to ann@example.com, ÉCOLE" : "thanks"),
        }).Append(Whisper("c2", 1, "ask about the refund policy")).ToList();
        await store.RecordAsync(conversations, messages);

        async Task<string[]> Ids(ArchiveQuery query) => [.. (await store.SearchAsync(query)).Conversations.Select(c => c.Id)];

        Assert.Equal(["c9", "c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1", "c0"], await Ids(new ArchiveQuery()));
        Assert.Equal(["c8", "c6", "c4", "c2", "c0"], await Ids(new ArchiveQuery(Queue: "support")));
        Assert.Equal(["c9", "c3"], await Ids(new ArchiveQuery(AgentId: "bob", Status: ConversationStatus.Closed)));
        Assert.Equal(["c4", "c3", "c2"], await Ids(new ArchiveQuery(From: Day.AddHours(2), To: Day.AddHours(5))));
        // Whole words, any case, in either stream; every word of the search in one message.
        Assert.Equal(["c7", "c4", "c2"], await Ids(new ArchiveQuery(Text: "refund")));
        Assert.Equal(["c4"], await Ids(new ArchiveQuery(Text: "refund never")));
        Assert.Equal(["c7"], await Ids(new ArchiveQuery(Text: "rückerstattung")));
        Assert.Empty(await Ids(new ArchiveQuery(Text: "refun")));
        Assert.Empty(await Ids(new ArchiveQuery(Text: "?!")));
        // Words within an address, and letters outside ASCII in any case, are found the same in every store.
        Assert.Equal(["c5"], await Ids(new ArchiveQuery(Text: "example")));
        Assert.Equal(["c5"], await Ids(new ArchiveQuery(Text: "école")));
        Assert.Equal(["c7"], await Ids(new ArchiveQuery(Text: "now refund")));

        // Pages: newest first, no gaps or repeats, the total counted whatever the page.
        var first = await store.SearchAsync(new ArchiveQuery(Limit: 4));
        var second = await store.SearchAsync(new ArchiveQuery(Limit: 4, Offset: 4));
        var past = await store.SearchAsync(new ArchiveQuery(Limit: 4, Offset: 12));
        Assert.Equal(["c9", "c8", "c7", "c6", "c5", "c4", "c3", "c2"], first.Conversations.Concat(second.Conversations).Select(c => c.Id));
        Assert.Equal([10L, 10L, 10L], [first.Total, second.Total, past.Total]);
        Assert.Empty(past.Conversations);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TimesAreKeptToTheMicrosecondAndImpossiblePagesAreRefused(string kind)
    {
        var store = await Store(kind);
        var created = Day.AddTicks(1234567);
        var message = Message("c1", 1, "hi");
        message = message with { Message = message.Message with { SentAt = created.AddTicks(5) } };
        await store.RecordAsync([Conversation("c1", 1, ConversationStatus.Active, "alice", createdAt: created)], [message]);

        var stored = Assert.Single((await store.SearchAsync(new ArchiveQuery())).Conversations);
        Assert.Equal(Day.AddTicks(1234560), stored.CreatedAt);
        Assert.Equal(Day.AddTicks(1234570), Assert.Single(await store.MessagesAsync("c1")).Message.SentAt);
        // A bound is taken to the microsecond too: the conversation is at it, not after it.
        Assert.Single((await store.SearchAsync(new ArchiveQuery(From: created))).Conversations);
        Assert.Empty((await store.SearchAsync(new ArchiveQuery(To: created))).Conversations);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SearchAsync(new ArchiveQuery(Limit: 0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SearchAsync(new ArchiveQuery(Limit: ArchiveQuery.MaxLimit + 1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.SearchAsync(new ArchiveQuery(Offset: -1)));
    }

    [Fact]
    public async Task TheSchemaIsAppliedOnceEvenWhenNodesStartTogether()
    {
        await using var database = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());

        var applied = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => HistorySchema.MigrateAsync(database)));

        var all = HistorySchema.Migrations.Select(m => m.Version).ToList();
        Assert.NotEmpty(all);
        Assert.Equal(all, applied.SelectMany(a => a).Order());
        Assert.Empty(await HistorySchema.MigrateAsync(database));
        await using var count = database.CreateCommand("SELECT count(*) FROM livechat_schema");
        Assert.Equal((long)all.Count, await count.ExecuteScalarAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
            await database.DisposeAsync();
    }

    private async Task<IHistoryStore> Store(string kind)
    {
        if (kind == "memory")
            return new InMemoryHistoryStore();
        var database = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());
        _databases.Add(database);
        await HistorySchema.MigrateAsync(database);
        return new PostgresHistoryStore(database);
    }

    private static ArchivedConversation Conversation(string id, long version, ConversationStatus status, string agent, string queue = "support", DateTimeOffset? createdAt = null) =>
        new(id, version, queue, status, Topic: null, VisitorId: $"v-{id}", VisitorName: $"Visitor {id}", VisitorEmail: null, VisitorVerified: false,
            AgentId: agent, AgentName: agent.ToUpperInvariant(), CreatedAt: createdAt ?? Day, AssignedAt: (createdAt ?? Day).AddMinutes(1),
            FirstResponseSeconds: 12.5, ClosedAt: null, ClosedReason: null, Rating: null, LastSeq: 2);

    private static ArchivedMessage Message(string conversation, long seq, string text) =>
        new(ArchiveStream.Public, new ChatMessage(conversation, seq, Roles.Visitor, $"v-{conversation}", "Visitor", text, Day.AddMinutes(seq), $"m{seq}"));

    private static ArchivedMessage Whisper(string conversation, long seq, string text) =>
        new(ArchiveStream.Internal, new ChatMessage(conversation, seq, Roles.Supervisor, "sam", "Sam", text, Day.AddMinutes(seq), $"w{seq}", MessageKinds.Whisper));
}
