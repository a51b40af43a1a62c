using LiveChat.Server.Storage;
using StackExchange.Redis;

namespace LiveChat.Tests.Redis;

/// <summary>
/// The message log, in Redis and in memory alike: what is read back is what was stored, field for field, in seq
/// order and page by page; a resend is answered with the first message; a seq already taken is refused.
/// </summary>
public sealed class MessageLogTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(1));

    public static TheoryData<string> Logs => new() { "redis", "memory" };

    [Theory]
    [MemberData(nameof(Logs))]
    public async Task MessagesComeBackExactlyAsStoredInOrderAndPageByPage(string kind)
    {
        var (log, connection) = await Open(kind);
        await using var _ = connection;
        var stream = $"c_{Guid.NewGuid():N}";
        string[] texts =
        [
            "hello", "", "👩🏽‍💻 emoji with a skin tone and a joiner", "עברית ‮reversed‬ mixed", "e\u0301\u0301\u0301 combining",
            new string('x', 4000), "line one\nline two\ttab \"quoted\" <b>not markup</b>", "\u200b\u200d zero width",
        ];
        // Enough messages to outgrow any first buffer, alternating senders, roles and kinds.
        var stored = Enumerable.Range(1, 300).Select(i => new ChatMessage(
            stream, i, i % 2 == 0 ? Roles.Agent : Roles.Visitor, i % 2 == 0 ? "ana" : "v_123", i % 2 == 0 ? "Ana" : "Vera Ñúñez",
            texts[i % texts.Length], Start.AddMilliseconds(i * 1234.5), $"m{i}", i % 50 == 0 ? MessageKinds.Note : MessageKinds.Message)).ToList();
        foreach (var message in stored)
            Assert.Null(await log.AppendAsync(stream, message));

        Assert.Equal(300, await log.GetLastSeqAsync(stream));
        var read = new List<ChatMessage>();
        for (long after = 0; after < 300; after += 64)
            read.AddRange(await log.ReadAsync(stream, after, 64));
        Assert.Equal(stored, read);
        Assert.Equal(stored[149..151], await log.ReadAsync(stream, 149, 2));
        Assert.Empty(await log.ReadAsync(stream, 300, 10));
        Assert.Equal(Start.Offset, read[0].SentAt.Offset);
    }

    [Theory]
    [MemberData(nameof(Logs))]
    public async Task AResendIsAnsweredWithTheFirstMessageAndASeqAlreadyTakenIsRefused(string kind)
    {
        var (log, connection) = await Open(kind);
        await using var _ = connection;
        var stream = $"c_{Guid.NewGuid():N}";
        var first = new ChatMessage(stream, 1, Roles.Visitor, "v_1", "Vera", "where is my order?", Start, "same-id");
        Assert.Null(await log.AppendAsync(stream, first));

        // The same sender and id again (a retry after a lost ack), even with another seq: the first one comes back.
        Assert.Equal(first, await log.AppendAsync(stream, first with { Seq = 2, Text = "changed on the way" }));
        // Another sender may use the same client id.
        Assert.Null(await log.AppendAsync(stream, first with { Seq = 2, SenderId = "v_2" }));
        Assert.Equal(first, await log.FindAsync(stream, "v_1", "same-id"));
        Assert.Null(await log.FindAsync(stream, "v_1", "other-id"));
        Assert.Null(await log.FindAsync($"c_{Guid.NewGuid():N}", "v_1", "same-id"));

        // A second writer with a stale seq is refused, so two writers can never interleave a conversation.
        await Assert.ThrowsAnyAsync<Exception>(() => log.AppendAsync(stream, first with { Seq = 2, ClientMessageId = "stale" }));
        Assert.Equal(2, await log.GetLastSeqAsync(stream));
    }

    private async Task<(IMessageLog Log, IAsyncDisposable Connection)> Open(string kind)
    {
        if (kind == "memory")
            return (new InMemoryMessageLog(), new NoConnection());
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        return (new RedisMessageLog(connection), connection);
    }

    private sealed class NoConnection : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
