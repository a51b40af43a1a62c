using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace LiveChat.Server.History;

/// <summary>
/// The history in PostgreSQL (schema: <see cref="HistorySchema"/>). A batch is one round trip: the conversations' rows
/// upserted where newer, the messages inserted from arrays where new. A message's words are split by the node
/// (<see cref="ArchiveWords"/>) and kept in an array with a GIN index, so search finds here what it finds in memory.
/// </summary>
public sealed class PostgresHistoryStore(NpgsqlDataSource database) : IHistoryStore
{
    private const string Columns =
        "id, version, queue, status, topic, visitor_id, visitor_name, visitor_email, visitor_verified, agent_id, agent_name, " +
        "created_at, assigned_at, first_response_seconds, closed_at, closed_reason, rating, last_seq";

    private const string UpsertConversation = $"""
        INSERT INTO conversations ({Columns})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        ON CONFLICT (id) DO UPDATE SET
            version = EXCLUDED.version, queue = EXCLUDED.queue, status = EXCLUDED.status, topic = EXCLUDED.topic,
            visitor_id = EXCLUDED.visitor_id, visitor_name = EXCLUDED.visitor_name, visitor_email = EXCLUDED.visitor_email,
            visitor_verified = EXCLUDED.visitor_verified, agent_id = EXCLUDED.agent_id, agent_name = EXCLUDED.agent_name,
            created_at = EXCLUDED.created_at, assigned_at = EXCLUDED.assigned_at,
            first_response_seconds = EXCLUDED.first_response_seconds, closed_at = EXCLUDED.closed_at,
            closed_reason = EXCLUDED.closed_reason, rating = EXCLUDED.rating, last_seq = EXCLUDED.last_seq
        WHERE conversations.version < EXCLUDED.version
        """;

    private const string InsertMessages = """
        INSERT INTO messages (conversation_id, stream, seq, kind, sender_role, sender_id, sender_name, body, sent_at, client_message_id, words)
        SELECT c, st, sq, k, r, si, sn, b, t, cm, string_to_array(w, ' ')
        FROM unnest($1::text[], $2::smallint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[])
            AS m(c, st, sq, k, r, si, sn, b, t, cm, w)
        ON CONFLICT (conversation_id, stream, seq) DO NOTHING
        """;

    public async Task RecordAsync(IReadOnlyList<ArchivedConversation> conversations, IReadOnlyList<ArchivedMessage> messages, CancellationToken cancellationToken = default)
    {
        if (conversations.Count == 0 && messages.Count == 0)
            return;
        await using var batch = database.CreateBatch();
        // Rows always taken in the same order, so two nodes writing the same conversations wait for each other rather
        // than deadlock.
        foreach (var c in conversations.OrderBy(c => c.Id, StringComparer.Ordinal).Select(ArchiveTime.Of))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(UpsertConversation)
            {
                Parameters =
                {
                    Value(Clean(c.Id)), Value(c.Version), Value(Clean(c.Queue)), Value(c.Status.ToString()), Value(CleanOrNull(c.Topic), NpgsqlDbType.Text),
                    Value(Clean(c.VisitorId)), Value(Clean(c.VisitorName)), Value(CleanOrNull(c.VisitorEmail), NpgsqlDbType.Text), Value(c.VisitorVerified),
                    Value(CleanOrNull(c.AgentId), NpgsqlDbType.Text), Value(CleanOrNull(c.AgentName), NpgsqlDbType.Text), Value(c.CreatedAt),
                    Value(c.AssignedAt, NpgsqlDbType.TimestampTz), Value(c.FirstResponseSeconds, NpgsqlDbType.Double),
                    Value(c.ClosedAt, NpgsqlDbType.TimestampTz), Value(CleanOrNull(c.ClosedReason), NpgsqlDbType.Text),
                    Value((short?)c.Rating, NpgsqlDbType.Smallint), Value(c.LastSeq),
                },
            });
        }
        if (messages.Count > 0)
        {
            messages = [.. messages.OrderBy(m => m.Message.ConversationId, StringComparer.Ordinal).ThenBy(m => m.Stream).ThenBy(m => m.Message.Seq)];
            batch.BatchCommands.Add(new NpgsqlBatchCommand(InsertMessages)
            {
                Parameters =
                {
                    Value(messages.Select(m => Clean(m.Message.ConversationId)).ToArray()),
                    Value(messages.Select(m => (short)m.Stream).ToArray()),
                    Value(messages.Select(m => m.Message.Seq).ToArray()),
                    Value(messages.Select(m => m.Message.Kind).ToArray()),
                    Value(messages.Select(m => m.Message.SenderRole).ToArray()),
                    Value(messages.Select(m => Clean(m.Message.SenderId)).ToArray()),
                    Value(messages.Select(m => Clean(m.Message.SenderName)).ToArray()),
                    Value(messages.Select(m => Clean(m.Message.Text)).ToArray()),
                    Value(messages.Select(m => ArchiveTime.Of(m.Message.SentAt)).ToArray()),
                    Value(messages.Select(m => Clean(m.Message.ClientMessageId)).ToArray()),
                    Value(messages.Select(m => string.Join(' ', ArchiveWords.Of(m.Message.Text))).ToArray()),
                },
            });
        }
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ArchivePage> SearchAsync(ArchiveQuery query, CancellationToken cancellationToken = default)
    {
        query.EnsureValid();
        var words = query.Text is { } text ? ArchiveWords.Of(text) : null;
        // A text with no word in it finds nothing.
        if (words is { Count: 0 })
            return new ArchivePage([], 0);
        await using var command = database.CreateCommand();
        var where = new StringBuilder("TRUE");
        void Filter(string condition, object value)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
            where.Append(" AND ").Append(condition.Replace("{}", "$" + command.Parameters.Count));
        }
        if (query.From is { } from)
            Filter("c.created_at >= {}", ArchiveTime.Of(from));
        if (query.To is { } to)
            Filter("c.created_at < {}", ArchiveTime.Of(to));
        if (query.Queue is { } queue)
            Filter("c.queue = {}", queue);
        if (query.AgentId is { } agent)
            Filter("c.agent_id = {}", agent);
        if (query.Status is { } status)
            Filter("c.status = {}", status.ToString());
        if (words is not null)
            Filter("c.id IN (SELECT m.conversation_id FROM messages m WHERE m.words @> {})", words.ToArray());
        command.Parameters.Add(new NpgsqlParameter { Value = query.Limit });
        command.Parameters.Add(new NpgsqlParameter { Value = query.Offset });
        command.CommandText = $"""
            SELECT {Columns}, count(*) OVER () FROM conversations c
            WHERE {where}
            ORDER BY c.created_at DESC, c.id
            LIMIT ${command.Parameters.Count - 1} OFFSET ${command.Parameters.Count}
            """;
        var found = new List<ArchivedConversation>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(Conversation(reader));
            total = reader.GetInt64(18);
        }
        // A page past the end has no rows to count with: counted on its own.
        if (found.Count == 0 && query.Offset > 0)
            total = (await SearchAsync(query with { Offset = 0, Limit = 1 }, cancellationToken)).Total;
        return new ArchivePage(found, total);
    }

    public async Task<IReadOnlyDictionary<(string ConversationId, ArchiveStream Stream), long>> LastSeqsAsync(IReadOnlyList<string> conversationIds, CancellationToken cancellationToken = default)
    {
        var last = new Dictionary<(string, ArchiveStream), long>();
        if (conversationIds.Count == 0)
            return last;
        await using var command = database.CreateCommand(
            "SELECT conversation_id, stream, max(seq) FROM messages WHERE conversation_id = ANY($1) GROUP BY conversation_id, stream");
        command.Parameters.Add(Value(conversationIds.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            last[(reader.GetString(0), (ArchiveStream)reader.GetInt16(1))] = reader.GetInt64(2);
        return last;
    }

    public async Task<IReadOnlyList<ArchivedMessage>> MessagesAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand("""
            SELECT stream, seq, kind, sender_role, sender_id, sender_name, body, sent_at, client_message_id
            FROM messages WHERE conversation_id = $1 ORDER BY stream, seq
            """);
        command.Parameters.Add(Value(conversationId));
        var messages = new List<ArchivedMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new ArchivedMessage((ArchiveStream)reader.GetInt16(0), new ChatMessage(
                conversationId, reader.GetInt64(1), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(8), reader.GetString(2))));
        }
        return messages;
    }

    private static ArchivedConversation Conversation(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), Enum.Parse<ConversationStatus>(r.GetString(3)), Nullable<string>(r, 4),
        r.GetString(5), r.GetString(6), Nullable<string>(r, 7), r.GetBoolean(8), Nullable<string>(r, 9), Nullable<string>(r, 10),
        r.GetFieldValue<DateTimeOffset>(11), NullableValue<DateTimeOffset>(r, 12), NullableValue<double>(r, 13),
        NullableValue<DateTimeOffset>(r, 14), Nullable<string>(r, 15), r.IsDBNull(16) ? null : r.GetInt16(16), r.GetInt64(17));

    private static T? Nullable<T>(NpgsqlDataReader r, int i) where T : class => r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);

    private static T? NullableValue<T>(NpgsqlDataReader r, int i) where T : struct => r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);

    // PostgreSQL's text holds no NUL character, which a visitor may well send: stored as U+FFFD, the rest of the text kept.
    private static string Clean(string text) => text.Contains('\0') ? text.Replace('\0', '\uFFFD') : text;

    private static string? CleanOrNull(string? text) => text is null ? null : Clean(text);

    private static NpgsqlParameter Value<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    private static NpgsqlParameter Value(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };
}
